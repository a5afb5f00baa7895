package dev.postbus.worker.consume;

import dev.postbus.worker.dispatch.OffsetTracker;
import dev.postbus.worker.dispatch.PartitionOffsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits what {@link OffsetTracker} says may be committed: asynchronously every commit interval
 * (the same offsets again when nothing moved and the {@link ContactWatch} wants its proof of this
 * member's place in the group renewed), synchronously when letting partitions go. Consumer thread
 * only.
 */
final class OffsetCommits {

  private static final Logger log = LoggerFactory.getLogger(ConsumeLoop.class);

  /** How long a synchronous commit, or a question about committed offsets, may take. */
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Consumer<byte[], byte[]> consumer;
  private final OffsetTracker tracker;
  private final ContactWatch watch;
  private final LedgerSkips ledger;
  private boolean failing;

  OffsetCommits(
      Consumer<byte[], byte[]> consumer,
      OffsetTracker tracker,
      ContactWatch watch,
      LedgerSkips ledger) {
    this.consumer = consumer;
    this.tracker = tracker;
    this.watch = watch;
    this.ledger = ledger;
  }

  /**
   * Each commit carries, in its metadata, the send-ledger mark from which a new owner reads (see
   * LedgerMarks).
   */
  private Map<TopicPartition, OffsetAndMetadata> marked(
      Map<TopicPartition, OffsetAndMetadata> due) {
    if (!ledger.on()) {
      return due;
    }
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    due.forEach(
        (tp, o) -> {
          PartitionOffsets p = tracker.get(tp);
          String mark = ledger.mark(tp, p == null ? -1 : p.nextTracked(), o.offset());
          out.put(tp, new OffsetAndMetadata(o.offset(), mark));
        });
    return out;
  }

  /**
   * The periodic commit: what moved or, when nothing did and the last proof of membership is a
   * third of kafka-lost-after old, every owned partition's offset again (what may be committed, or,
   * before its first record, its position): the acknowledgement proves this member's place in the
   * group, also while it is idle, at a third of the writes of a commit every interval.
   */
  void commit() {
    Map<TopicPartition, OffsetAndMetadata> due = tracker.commitDue();
    if ((due.isEmpty() && watch.proofDue()) || ledger.marksWanted()) {
      // also every partition taken over without a ledger mark in its commit, at once: until one
      // is committed with a mark, a new owner reads its ledger partition by time, whole
      due = again();
    }
    due = withLaggingMarks(due);
    if (!due.isEmpty()) {
      Map<TopicPartition, Object> during = ledger.assignments(due.keySet());
      consumer.commitAsync(marked(due), (offsets, error) -> answered(offsets, error, during));
    }
  }

  private Map<TopicPartition, OffsetAndMetadata> again() {
    Map<TopicPartition, OffsetAndMetadata> all = new HashMap<>(tracker.committable());
    for (TopicPartition tp : tracker.owned()) {
      if (!all.containsKey(tp) && !ledger.holds(tp)) { // held: its commit and mark stay as read
        position(tp).ifPresent(o -> all.put(tp, o));
      }
    }
    return all;
  }

  /**
   * {@code due} and every owned partition not in it whose ledger mark fell far behind (an idle
   * retry tier sharing its ledger partition with a busy jobs partition): committed again at the
   * same offset, with a mark that follows the ledger. A held partition is not: its commit and mark
   * stay as read.
   */
  private Map<TopicPartition, OffsetAndMetadata> withLaggingMarks(
      Map<TopicPartition, OffsetAndMetadata> due) {
    if (!ledger.on()) {
      return due;
    }
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>(due);
    Map<TopicPartition, OffsetAndMetadata> committable = null;
    for (TopicPartition tp : tracker.owned()) {
      if (due.containsKey(tp) || ledger.holds(tp)) {
        continue;
      }
      committable = committable == null ? tracker.committable() : committable;
      java.util.Optional<OffsetAndMetadata> at =
          java.util.Optional.ofNullable(committable.get(tp)).or(() -> position(tp));
      PartitionOffsets p = tracker.get(tp);
      long next = p == null ? -1 : p.nextTracked();
      at.filter(o -> ledger.markLags(tp, next, o.offset())).ifPresent(o -> out.put(tp, o));
    }
    return out;
  }

  /** Where the consumer is in {@code tp}, before its first record; empty when not known yet. */
  private java.util.Optional<OffsetAndMetadata> position(TopicPartition tp) {
    try {
      return java.util.Optional.of(new OffsetAndMetadata(consumer.position(tp, Duration.ZERO)));
    } catch (RuntimeException unknownYet) { // no position yet: nothing fetched either
      log.debug("no position yet for {}: {}", tp, unknownYet.toString());
      return java.util.Optional.empty();
    }
  }

  private void answered(
      Map<TopicPartition, OffsetAndMetadata> offsets,
      Exception error,
      Map<TopicPartition, Object> during) {
    if (error == null) {
      tracker.committed(offsets);
      ledger.committed(offsets, during);
      failing = false;
      watch.member(); // the coordinator checks the generation of a commit
    } else if (error instanceof RebalanceInProgressException) {
      log.debug("offset commit refused during a rebalance: {}", error.getMessage());
    } else if (!failing) { // once per run of failures: the next ones say nothing new
      failing = true;
      log.warn(
          "offset commit failed (retried with every commit until one succeeds): {}",
          error.getMessage());
    } else {
      log.debug("offset commit failed again: {}", error.getMessage());
    }
  }

  /** Commits, and waits for, what may be committed of partitions about to be let go. */
  void commitReleasing(Set<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> due = tracker.commitDue(partitions);
    if (due.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(marked(due), TIMEOUT);
    } catch (RuntimeException e) {
      log.warn(
          "commit while releasing {} partitions failed; their unfinished records will be redelivered: {}",
          partitions.size(),
          e.getMessage());
    }
  }
}
