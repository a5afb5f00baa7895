package dev.postbus.worker.consume;

import dev.postbus.worker.dispatch.DispatchQueue;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pauses every partition while the dispatch queue is full or delivery is held (any hold of {@code
 * Holds}), and resumes them, but the tiers waiting for their head, once the queue is below its
 * low-water mark and nothing holds delivery. Consumer thread only.
 */
final class Backpressure {

  private static final Logger log = LoggerFactory.getLogger(ConsumeLoop.class);

  private final Consumer<byte[], byte[]> consumer;
  private final DispatchQueue queue;
  private final BooleanSupplier deliveryHeld;
  private final TierHolds tiers;
  private boolean paused;

  Backpressure(
      Consumer<byte[], byte[]> consumer,
      DispatchQueue queue,
      BooleanSupplier deliveryHeld,
      TierHolds tiers) {
    this.consumer = consumer;
    this.queue = queue;
    this.deliveryHeld = deliveryHeld;
    this.tiers = tiers;
  }

  /** True while every partition is paused. */
  boolean paused() {
    return paused;
  }

  void apply() {
    boolean holding = deliveryHeld.getAsBoolean();
    if (!paused && (queue.full() || holding)) {
      consumer.pause(consumer.assignment());
      paused = true;
      log.debug("pausing all partitions (queue {}, delivery held {})", queue.size(), holding);
    } else if (paused && !holding && queue.belowLowWater()) {
      Set<TopicPartition> resume = new HashSet<>(consumer.assignment());
      resume.removeAll(tiers.held());
      consumer.resume(resume);
      paused = false;
      log.debug("resuming partitions (queue {})", queue.size());
    }
  }

  /** Newly assigned partitions start paused while every other one is. */
  void assigned(Collection<TopicPartition> partitions) {
    if (paused && !partitions.isEmpty()) {
      consumer.pause(partitions);
    }
  }
}
