package dev.postbus.worker.consume;

import dev.postbus.worker.delivery.Delivery;
import dev.postbus.worker.delivery.DispatchQueue;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer thread: the only code that touches the KafkaConsumer. It polls, hands records to the lanes
 * through the {@link DispatchQueue}, applies finished results from the mailbox, pauses all partitions while
 * the queue is full, and commits the lowest unfinished offset of each partition. On revocation and on
 * shutdown it takes back queued records, waits (bounded) for in-flight ones, and commits before letting go.
 */
public final class ConsumeLoop implements Runnable, ConsumerRebalanceListener {

  private static final Logger log = LoggerFactory.getLogger(ConsumeLoop.class);
  private static final Duration POLL = Duration.ofMillis(50);
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);

  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final DispatchQueue queue;
  private final BlockingQueue<Delivery> finished;
  private final Duration commitInterval;
  private final Duration drainTimeout;
  private final OffsetTracker tracker = new OffsetTracker();
  private volatile boolean stopRequested;
  private volatile int owned;
  private boolean paused;
  private long nextCommitNanos;

  /** @param finished the mailbox where lanes put deliveries whose outcome is durable */
  public ConsumeLoop(Consumer<byte[], byte[]> consumer, String topic, DispatchQueue queue,
      BlockingQueue<Delivery> finished, Duration commitInterval, Duration drainTimeout) {
    this.consumer = consumer;
    this.topic = topic;
    this.queue = queue;
    this.finished = finished;
    this.commitInterval = commitInterval;
    this.drainTimeout = drainTimeout;
  }

  /** How many partitions this worker owns now; readable from any thread. */
  public int ownedPartitions() {
    return owned;
  }

  public void requestStop() {
    stopRequested = true;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(topic), this);
      while (!stopRequested) {
        dispatch(consumer.poll(POLL));
        applyFinished();
        applyBackpressure();
        commitIfDue();
      }
      release(tracker.owned(), true);
    } finally {
      consumer.close(COMMIT_TIMEOUT);
      log.info("consumer closed; left the group");
    }
  }

  private void dispatch(ConsumerRecords<byte[], byte[]> records) {
    for (ConsumerRecord<byte[], byte[]> r : records) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      PartitionOffsets owner = tracker.get(tp);
      if (owner == null) {
        continue; // not ours any more; the next owner reads it from the committed offset
      }
      owner.track(r.offset());
      queue.add(new Delivery(tp, r.offset(), r.key(), r.value(), r.headers(), r.timestamp(), owner));
    }
  }

  private void applyFinished() {
    Delivery d;
    while ((d = finished.poll()) != null) {
      apply(d);
    }
  }

  private void apply(Delivery d) {
    if (tracker.isCurrent(d.partition(), d.owner())) {
      d.owner().complete(d.offset());
    }
  }

  private void applyBackpressure() {
    if (!paused && queue.full()) {
      consumer.pause(consumer.assignment());
      paused = true;
      log.debug("dispatch queue full ({}): partitions paused", queue.size());
    } else if (paused && queue.belowLowWater()) {
      consumer.resume(consumer.assignment());
      paused = false;
      log.debug("dispatch queue drained ({}): partitions resumed", queue.size());
    }
  }

  private void commitIfDue() {
    long now = System.nanoTime();
    if (now - nextCommitNanos < 0) {
      return;
    }
    nextCommitNanos = now + commitInterval.toNanos();
    Map<TopicPartition, OffsetAndMetadata> due = tracker.commitDue();
    if (!due.isEmpty()) {
      consumer.commitAsync(due, (offsets, error) -> {
        if (error == null) {
          tracker.committed(offsets);
        } else {
          log.warn("offset commit failed (will be retried with the next commit): {}", error.getMessage());
        }
      });
    }
  }

  /**
   * Lets go of partitions: takes back their queued records, waits up to the drain timeout for in-flight
   * ones, and (unless lost) commits synchronously.
   */
  private void release(Collection<TopicPartition> partitions, boolean commit) {
    if (partitions.isEmpty()) {
      return;
    }
    Set<TopicPartition> set = Set.copyOf(partitions);
    for (Delivery d : queue.removeIf(d -> set.contains(d.partition()))) {
      d.owner().abandon(d.offset());
    }
    if (commit) {
      awaitInFlight(set);
      Map<TopicPartition, OffsetAndMetadata> due = tracker.commitDue(set);
      if (!due.isEmpty()) {
        try {
          consumer.commitSync(due, COMMIT_TIMEOUT);
        } catch (RuntimeException e) {
          log.warn("commit while releasing {} partitions failed; their unfinished records will be redelivered: {}",
              set.size(), e.getMessage());
        }
      }
    }
    tracker.revoke(set);
    owned = tracker.owned().size();
  }

  private void awaitInFlight(Set<TopicPartition> partitions) {
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    try {
      while (tracker.inFlight(partitions) > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          log.warn("{} sends still in flight after {}; their offsets stay uncommitted",
              tracker.inFlight(partitions), drainTimeout);
          return;
        }
        Delivery d = finished.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
        if (d != null) {
          apply(d);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    partitions.forEach(tracker::assign);
    owned = tracker.owned().size();
    if (paused && !partitions.isEmpty()) {
      consumer.pause(partitions);
    }
    if (!partitions.isEmpty()) {
      log.info("assigned {} partitions; now own {}", partitions.size(), tracker.owned().size());
    }
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    if (!partitions.isEmpty()) {
      release(partitions, true);
      log.info("released {} partitions; now own {}", partitions.size(), tracker.owned().size());
    }
  }

  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    release(partitions, false);
    log.warn("lost {} partitions without a clean hand-over; their unfinished records will be redelivered",
        partitions.size());
  }
}
