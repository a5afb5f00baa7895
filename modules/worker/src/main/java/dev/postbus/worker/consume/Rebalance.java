package dev.postbus.worker.consume;

import dev.postbus.worker.consume.RebalanceTime.Step;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.DispatchQueue;
import dev.postbus.worker.dispatch.OffsetTracker;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partitions coming and going. On assignment: fresh offsets, the send ledger read, the share told.
 * On revocation (and at shutdown): queued records taken back, the partitions marked as being let go
 * (a lane holding one of their records unstarted hands it back), in-flight ones awaited up to the
 * drain timeout, a synchronous commit, and only then let go. Lost partitions are let go at once.
 * Runs on the consumer thread, inside poll; the rebalance work of one poll (release and assignment)
 * that takes half of max.poll.interval.ms or more is logged as a warning ({@link RebalanceTime}).
 */
final class Rebalance implements ConsumerRebalanceListener {

  private static final Logger log = LoggerFactory.getLogger(ConsumeLoop.class);
  private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /** What a rebalance touches; all of it the consumer thread's. */
  record Parts(
      Consumer<byte[], byte[]> consumer,
      Set<String> otherTopics, // the tiers and the bulk topic: all but the jobs topic
      OffsetTracker tracker,
      DispatchQueue queue,
      BlockingQueue<Delivery> finished,
      TierHolds tiers,
      Pauses pauses,
      OffsetCommits commits,
      LedgerSkips ledger,
      ShareReport share,
      ContactWatch watch,
      RebalanceTime time) {} // times the callbacks of one poll on the loop's ticker

  private final Parts p;
  private final Duration drainTimeout;
  private volatile int ownedJobPartitions;

  Rebalance(Parts parts, Duration drainTimeout) {
    this.p = parts;
    this.drainTimeout = drainTimeout;
  }

  /** How many partitions of the jobs topic this worker owns now; readable from any thread. */
  int ownedJobPartitions() {
    return ownedJobPartitions;
  }

  /**
   * Timed on the loop's ticker with the release before it in the same poll: the member is evicted
   * when the poll's rebalance work outlasts the consumer's max.poll.interval.ms ({@link
   * RebalanceTime}).
   */
  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    p.time().callback(partitions.size());
    try {
      assign(partitions);
    } finally {
      p.time().assignmentEnded();
    }
  }

  private void assign(Collection<TopicPartition> partitions) {
    p.watch().member(); // the coordinator answered this member's JoinGroup and SyncGroup
    partitions.forEach(p.tracker()::assign);
    p.tiers().forget(partitions);
    ownedChanged();
    p.pauses().assigned(partitions); // a rebalance drops pauses: taken again before any fetch
    if (!partitions.isEmpty()) {
      log.info("assigned {} partitions; now own {}", partitions.size(), p.tracker().owned().size());
      if (p.ledger().on()) {
        Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        p.time().timed(Step.COMMITTED, () -> committed.putAll(committedOffsets(partitions)));
        p.time().timed(Step.LEDGER, () -> p.ledger().readLedger(committed));
        p.time().timed(Step.DEDUPE, () -> p.ledger().readDedupe(committed, p.tracker().owned()));
        p.pauses().assigned(partitions); // those whose ledger could not be read stay paused
      }
    }
    // Again once the callback's slow work (the share's partition counts, the ledger read: longer
    // than kafka-lost-after, at worst) is done: the judge's next look must not take the proof of
    // this assignment for one as old as the callback is long. (When the judge has not counted the
    // SyncGroup answer yet, it proves membership there at its next look all the same.)
    p.watch().member();
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    p.time().callback(partitions.size());
    p.watch().answered(); // a step of a rebalance the coordinator answered
    if (!partitions.isEmpty()) {
      release(partitions, true);
      log.info("released {} partitions; now own {}", partitions.size(), p.tracker().owned().size());
    }
  }

  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    p.time().callback(partitions.size());
    release(partitions, false);
    log.warn(
        "lost {} partitions without a clean hand-over; their unfinished records will be redelivered",
        partitions.size());
  }

  /**
   * Lets go of partitions: takes back their queued records, waits up to the drain timeout for
   * in-flight ones, and (unless lost) commits synchronously.
   */
  void release(Collection<TopicPartition> partitions, boolean commit) {
    if (partitions.isEmpty()) {
      return;
    }
    Set<TopicPartition> set = Set.copyOf(partitions);
    for (Delivery d : p.queue().removeIf(d -> set.contains(d.partition()))) {
      d.owner().abandon(d.offset());
    }
    if (commit) {
      p.tracker().releasing(set); // lanes holding a job they have not started hand it back now
      p.time().timed(Step.DRAIN, () -> awaitInFlight(set));
      p.time().timed(Step.COMMIT, () -> p.commits().commitReleasing(set));
    }
    p.tracker().revoke(set);
    p.tiers().forget(set);
    p.ledger().forget(set, p.tracker().owned());
    ownedChanged();
  }

  private void ownedChanged() {
    ownedJobPartitions =
        (int)
            p.tracker().owned().stream()
                .filter(tp -> !p.otherTopics().contains(tp.topic()))
                .count();
    p.time().timed(Step.SHARE, () -> p.share().report(p.tracker().owned().size()));
  }

  /**
   * The deadline is on the loop's ticker, read again after each wait on the mailbox, and each wait
   * lasts at most a step (50 ms) of real time: a ticker moved by another thread ends the drain
   * within a step of passing the deadline. A ticker nobody moves never reaches it: the drain then
   * ends only when its sends do.
   */
  private void awaitInFlight(Set<TopicPartition> partitions) {
    long deadline = p.time().now() + drainTimeout.toNanos();
    try {
      while (p.tracker().inFlight(partitions) > 0) {
        long left = deadline - p.time().now();
        if (left <= 0) {
          log.warn(
              "{} sends still in flight after {}; their offsets stay uncommitted",
              p.tracker().inFlight(partitions),
              drainTimeout);
          return;
        }
        Delivery d = p.finished().poll(Math.min(left, STEP_NANOS), TimeUnit.NANOSECONDS);
        if (d != null) {
          p.tracker().finished(d);
          p.ledger().finished(d);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Each partition's commit (offset and the ledger mark in its metadata); null when it has none (it
   * is then read from offset 0, and its ledger from the start of the window) or when it could not
   * be read (the partitions are then held until it is).
   */
  private Map<TopicPartition, OffsetAndMetadata> committedOffsets(
      Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> committed;
    try {
      committed = p.consumer().committed(Set.copyOf(partitions), OffsetCommits.TIMEOUT);
    } catch (KafkaException e) {
      // Not read by time, whole, here (the callback would take longer still): the partitions are
      // held, their commits and ledger read on the loop (LedgerHolds).
      p.ledger().commitUnknown(partitions, e);
      committed = Map.of();
    }
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (TopicPartition tp : partitions) {
      out.put(tp, committed.get(tp));
    }
    return out;
  }
}
