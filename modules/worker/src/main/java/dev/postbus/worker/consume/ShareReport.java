package dev.postbus.worker.consume;

import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the share listener this worker's share: the partitions it owns of every partition the group
 * consumes (jobs and retry tiers), so the shares of a group with more workers than jobs partitions
 * still add up to the group's limit. The partition counts are read again on every rebalance
 * (partitions added to a topic are shared over), and every commit interval from the loop (a count
 * the consumer's metadata learnt after the rebalance corrects the share), from the metadata the
 * consumer holds, without waiting. Only the first count waits for metadata; should it time out
 * (inside a rebalance callback), the share is told later, from the loop, instead of stopping the
 * worker. Consumer thread only.
 */
final class ShareReport {

  private static final Logger log = LoggerFactory.getLogger(ConsumeLoop.class);

  private final Consumer<byte[], byte[]> consumer;
  private final List<String> topics;
  private BiConsumer<Integer, Integer> listener = (owned, total) -> {};

  /** Every partition the group consumes (jobs and tiers): what the group's rate is shared over. */
  private int totalPartitions = -1;

  /** The owned count last told; -1 before the first. */
  private int ownedTold = -1;

  private boolean pending;

  ShareReport(Consumer<byte[], byte[]> consumer, List<String> topics) {
    this.consumer = consumer;
    this.topics = topics;
  }

  void listen(BiConsumer<Integer, Integer> listener) {
    this.listener = listener;
  }

  /**
   * Tells the share of {@code owned} partitions (after a rebalance), over a fresh count: the first
   * one waits for the metadata as the consumer does by default; after it, the metadata the consumer
   * holds answers without waiting (the last count known stands if it does not).
   */
  void report(int owned) {
    int counted = count(totalPartitions < 0 ? null : Duration.ZERO);
    if (counted >= 0) {
      totalPartitions = counted;
    }
    pending = totalPartitions < 0;
    tell(owned);
  }

  /**
   * From the loop: tells the share again when an earlier report could not count the partitions, or
   * when the consumer's metadata now holds another count (read without waiting).
   */
  void recheck(int owned) {
    if (pending) {
      report(owned);
      return;
    }
    if (ownedTold < 0) {
      return; // no rebalance yet: nothing to correct
    }
    int counted = count(Duration.ZERO);
    if (counted >= 0 && counted != totalPartitions) {
      totalPartitions = counted;
      tell(owned);
    }
  }

  /** Tells the share over the last count known; nothing before one is. */
  private void tell(int owned) {
    if (totalPartitions >= 0) {
      ownedTold = owned;
      listener.accept(owned, totalPartitions);
    }
  }

  /**
   * Every partition of the topics; -1 when the count could not be read.
   *
   * @param wait how long to wait for metadata not held yet; null for the consumer's default
   */
  private int count(Duration wait) {
    try {
      int all = 0;
      for (String topic : topics) {
        all +=
            (wait == null ? consumer.partitionsFor(topic) : consumer.partitionsFor(topic, wait))
                .size();
      }
      return all;
    } catch (KafkaException e) {
      if (wait == null && !pending) {
        log.warn(
            "could not read the partition count of {} ({}); asking again shortly",
            topics.get(0),
            e.getMessage());
      }
      return -1;
    }
  }
}
