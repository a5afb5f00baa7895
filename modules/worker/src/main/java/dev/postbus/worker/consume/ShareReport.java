package dev.postbus.worker.consume;

import java.util.List;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the share listener this worker's share: the partitions it owns of every partition the group
 * consumes (jobs and retry tiers), so the shares of a group with more workers than jobs partitions
 * still add up to the group's limit. The partition counts are asked of Kafka once; should that time
 * out (inside a rebalance callback), the share is told later, from the loop, instead of stopping
 * the worker. Consumer thread only.
 */
final class ShareReport {

  private static final Logger log = LoggerFactory.getLogger(ConsumeLoop.class);

  private final Consumer<byte[], byte[]> consumer;
  private final List<String> topics;
  private BiConsumer<Integer, Integer> listener = (owned, total) -> {};

  /** Every partition the group consumes (jobs and tiers): what the group's rate is shared over. */
  private int totalPartitions;

  private boolean pending;

  ShareReport(Consumer<byte[], byte[]> consumer, List<String> topics) {
    this.consumer = consumer;
    this.topics = topics;
  }

  void listen(BiConsumer<Integer, Integer> listener) {
    this.listener = listener;
  }

  /** Tells the share of {@code owned} partitions (after a rebalance). */
  void report(int owned) {
    if (totalPartitions == 0 && !countPartitions()) {
      return;
    }
    pending = false;
    listener.accept(owned, totalPartitions);
  }

  /** Tells the share now when an earlier report could not. */
  void retryIfPending(int owned) {
    if (pending) {
      report(owned);
    }
  }

  private boolean countPartitions() {
    try {
      int all = 0;
      for (String topic : topics) {
        all += consumer.partitionsFor(topic).size();
      }
      totalPartitions = all;
      return true;
    } catch (KafkaException e) {
      if (!pending) {
        log.warn(
            "could not read the partition count of {} ({}); asking again shortly",
            topics.get(0),
            e.getMessage());
      }
      pending = true;
      return false;
    }
  }
}
