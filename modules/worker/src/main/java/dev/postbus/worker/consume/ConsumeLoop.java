package dev.postbus.worker.consume;

import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.DeliveryHeaders;
import dev.postbus.worker.dispatch.DispatchQueue;
import dev.postbus.worker.dispatch.OffsetTracker;
import dev.postbus.worker.dispatch.PartitionOffsets;
import dev.postbus.worker.ledger.LedgerEntry;
import dev.postbus.worker.ledger.LedgerIndex;
import dev.postbus.worker.time.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer thread: the only code that touches the KafkaConsumer. It polls the jobs topic and
 * the retry tiers, hands records to the lanes through the {@link DispatchQueue}, applies finished
 * results from the mailbox, and commits the lowest unfinished offset of each partition. It pauses
 * every partition while the queue is full or the relay is down, and a tier partition alone until
 * its head record is due (seeking back to it). On revocation and on shutdown it takes back queued
 * records, waits (bounded) for in-flight ones, and commits before letting go.
 */
public final class ConsumeLoop implements Runnable, ConsumerRebalanceListener {

  private static final Logger log = LoggerFactory.getLogger(ConsumeLoop.class);
  private static final Duration POLL = Duration.ofMillis(50);
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);

  private final Consumer<byte[], byte[]> consumer;
  private final List<String> topics;
  private final Set<String> tierTopics;
  private final BooleanSupplier deliveryHeld;
  private final Map<TopicPartition, Instant> held = new HashMap<>();
  private final Clock clock;
  private final DispatchQueue queue;
  private final BlockingQueue<Delivery> finished;
  private final Duration commitInterval;
  private final Duration drainTimeout;
  private final OffsetTracker tracker = new OffsetTracker();
  private volatile boolean stopRequested;
  private volatile int owned;
  private volatile int pausedPartitions;
  private volatile java.util.function.Consumer<Map<TopicPartition, Long>> lagListener = lag -> {};
  private boolean paused;
  private KafkaContact contact;
  private final CoordinatorAnswers answers = new CoordinatorAnswers();
  private boolean commitFailing;

  /** The ticker's reading at the last look at Kafka's contact (for tests). */
  private volatile long watchedAt = Long.MIN_VALUE;

  private long nextCommitNanos;
  private Ticker ticker = Ticker.SYSTEM;
  private LedgerIndex ledger;
  private Runnable onLedgerSkip = () -> {};
  private java.util.function.BiConsumer<Delivery, LedgerEntry> rewriteEvent;
  private java.util.concurrent.Executor rewrites;
  private java.util.function.BiConsumer<Integer, Integer> shareListener = (owned, total) -> {};

  /** Every partition the group consumes (jobs and tiers): what the group's rate is shared over. */
  private int totalPartitions;

  private boolean sharePending;

  /**
   * @param finished the mailbox where lanes put deliveries whose outcome is durable
   */
  public ConsumeLoop(
      Consumer<byte[], byte[]> consumer,
      List<String> topics,
      Set<String> tierTopics,
      DispatchQueue queue,
      BlockingQueue<Delivery> finished,
      BooleanSupplier deliveryHeld,
      Duration commitInterval,
      Duration drainTimeout,
      Clock clock) {
    this.consumer = consumer;
    this.topics = List.copyOf(topics);
    this.tierTopics = Set.copyOf(tierTopics);
    this.deliveryHeld = deliveryHeld;
    this.clock = clock;
    this.queue = queue;
    this.finished = finished;
    this.commitInterval = commitInterval;
    this.drainTimeout = drainTimeout;
  }

  /** How many partitions of the jobs topic this worker owns now; readable from any thread. */
  public int ownedPartitions() {
    return owned;
  }

  private int ownedJobPartitions() {
    return (int) tracker.owned().stream().filter(tp -> !tierTopics.contains(tp.topic())).count();
  }

  /** The ticker's reading when the loop last judged its contact with Kafka. */
  long watchedAt() {
    return watchedAt;
  }

  /** Partitions paused now (backpressure, relay problem, or a retry tier waiting for its head). */
  public int pausedPartitions() {
    return pausedPartitions;
  }

  /**
   * Receives the consumer lag of every owned partition, on the consumer thread, once per commit
   * interval.
   */
  public void onLag(java.util.function.Consumer<Map<TopicPartition, Long>> listener) {
    this.lagListener = listener;
  }

  /**
   * The source of elapsed time for the commit timer (set before {@link #run}); the system's by
   * default.
   */
  public void timeWith(Ticker source) {
    this.ticker = source;
  }

  /**
   * Told, on every rebalance, how many of the jobs topic's partitions this worker owns, and of how
   * many (set before {@link #run}).
   */
  public void onShare(java.util.function.BiConsumer<Integer, Integer> listener) {
    this.shareListener = listener;
  }

  /**
   * Tells the share listener this worker's share: the partitions it owns of every partition the
   * group consumes (jobs and retry tiers), so the shares of a group with more workers than jobs
   * partitions still add up to the group's limit. The partition counts are asked of Kafka once;
   * should that time out (inside a rebalance callback), the share is told later, from the loop,
   * instead of stopping the worker.
   */
  private void reportShare() {
    if (totalPartitions == 0) {
      try {
        int all = 0;
        for (String topic : topics) {
          all += consumer.partitionsFor(topic).size();
        }
        totalPartitions = all;
      } catch (org.apache.kafka.common.KafkaException e) {
        if (!sharePending) {
          log.warn(
              "could not read the partition count of {} ({}); asking again shortly",
              topics.get(0),
              e.getMessage());
        }
        sharePending = true;
        return;
      }
    }
    sharePending = false;
    shareListener.accept(tracker.owned().size(), totalPartitions);
  }

  /**
   * Skip records the send ledger holds as finished (set before {@link #run}).
   *
   * @param rewrites runs {@code rewriteEvent} (a producer send, which may block): never the
   *     consumer thread
   */
  public void useLedger(
      LedgerIndex ledger,
      Runnable onSkip,
      java.util.function.BiConsumer<Delivery, LedgerEntry> rewriteEvent,
      java.util.concurrent.Executor rewrites) {
    this.ledger = ledger;
    this.onLedgerSkip = onSkip;
    this.rewriteEvent = rewriteEvent;
    this.rewrites = rewrites;
  }

  /**
   * Closes the consumer of a loop that never ran (the worker failed to start after creating it).
   */
  public void closeConsumer() {
    consumer.close(java.time.Duration.ZERO);
  }

  /** Reports whether Kafka is in touch (set before {@link #run}). */
  public void watchContact(KafkaContact contact) {
    this.contact = contact;
  }

  public void requestStop() {
    stopRequested = true;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(topics, this);
      while (!stopRequested) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
        if (contact != null && !records.isEmpty()) {
          contact.answered();
        }
        dispatch(records);
        applyFinished();
        applyBackpressure();
        releaseDueTiers();
        commitIfDue();
      }
      release(tracker.owned(), true);
    } finally {
      consumer.close(COMMIT_TIMEOUT);
      log.info("consumer closed; left the group");
    }
  }

  private void dispatch(ConsumerRecords<byte[], byte[]> records) {
    Instant now = clock.instant();
    for (TopicPartition tp : records.partitions()) {
      PartitionOffsets owner = tracker.get(tp);
      if (owner == null) {
        continue; // not ours any more; the next owner reads it from the committed offset
      }
      boolean tier = tierTopics.contains(tp.topic());
      for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
        Instant due = tier ? DeliveryHeaders.due(r.headers()) : null;
        if (due != null && due.isAfter(now)) {
          hold(tp, r.offset(), due);
          break; // the rest of this partition is due later still; it is read again after the hold
        }
        owner.track(r.offset());
        Delivery d =
            new Delivery(tp, r.offset(), r.key(), r.value(), r.headers(), r.timestamp(), owner);
        LedgerEntry done = ledger == null ? null : ledger.finished(tp, r.offset());
        if (done != null) {
          // finished before a crash: already sent, or its retry or dead letter is safe
          onLedgerSkip.run();
          if (done.event() == null) {
            owner.complete(r.offset());
          } else {
            rewrite(d, done); // at least once; finished when Kafka has it
          }
          continue;
        }
        queue.add(d);
      }
    }
  }

  /**
   * Writes again the delivered event of a record the ledger skips, on a thread of ours: the send
   * may block for max.block.ms (the events topic's metadata missing), and the consumer thread must
   * go on polling. A partition let go meanwhile gets it back unwritten (its next owner skips the
   * record and writes the event).
   */
  private void rewrite(Delivery d, LedgerEntry done) {
    try {
      rewrites.execute(
          () -> {
            if (d.owner().releasing()) {
              d.owner().handBack(d.offset());
            } else {
              rewriteEvent.accept(d, done);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      d.owner().handBack(d.offset()); // uncommitted: the next owner skips it and writes the event
    }
  }

  /** A tier partition waits, paused at its head record, until that record is due. */
  private void hold(TopicPartition tp, long offset, Instant due) {
    consumer.seek(tp, offset);
    consumer.pause(List.of(tp));
    held.put(tp, due);
  }

  private void releaseDueTiers() {
    if (held.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    List<TopicPartition> due = new ArrayList<>();
    held.entrySet()
        .removeIf(
            e -> {
              if (!e.getValue().isAfter(now)) {
                due.add(e.getKey());
                return true;
              }
              return false;
            });
    if (!due.isEmpty() && !paused) {
      consumer.resume(due);
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

  /**
   * Pauses every partition while the queue is full or delivery is held (every relay out, or the
   * bounce-rate guard); resumes below the low-water mark.
   */
  private void applyBackpressure() {
    boolean holding = deliveryHeld.getAsBoolean();
    if (!paused && (queue.full() || holding)) {
      consumer.pause(consumer.assignment());
      paused = true;
      log.debug("pausing all partitions (queue {}, delivery held {})", queue.size(), holding);
    } else if (paused && !holding && queue.belowLowWater()) {
      Set<TopicPartition> resume = new HashSet<>(consumer.assignment());
      resume.removeAll(held.keySet());
      consumer.resume(resume);
      paused = false;
      log.debug("resuming partitions (queue {})", queue.size());
    }
  }

  private void commitIfDue() {
    long now = ticker.read();
    if (now - nextCommitNanos < 0) {
      return;
    }
    nextCommitNanos = now + commitInterval.toNanos();
    if (sharePending) {
      reportShare();
    }
    watchKafka();
    watchedAt = now;
    reportLag();
    Map<TopicPartition, OffsetAndMetadata> due = tracker.commitDue();
    if (contact != null && contact.wantsProof() && due.isEmpty()) {
      due = tracker.committable(); // committed again: an acknowledgement proves membership
      if (due.isEmpty()) {
        contact.member(); // no record taken since assigned: none could be another member's
      }
    }
    if (!due.isEmpty()) {
      consumer.commitAsync(
          due,
          (offsets, error) -> {
            if (error == null) {
              tracker.committed(offsets);
              commitFailing = false;
              if (contact != null) {
                contact.member(); // the coordinator checks the generation of a commit
              }
            } else if (!commitFailing) { // once per run of failures: the next ones say nothing new
              commitFailing = true;
              log.warn(
                  "offset commit failed (retried with every commit until one succeeds): {}",
                  error.getMessage());
            } else {
              log.debug("offset commit failed again: {}", error.getMessage());
            }
          });
    }
  }

  /** Lets the contact watch judge, with what the consumer's metrics say of its heartbeats. */
  private void watchKafka() {
    if (contact != null) {
      if (answers.grew(consumer::metrics)) {
        contact.answered();
      }
      contact.check();
    }
  }

  private void reportLag() {
    pausedPartitions = consumer.paused().size();
    Map<TopicPartition, Long> lag = new HashMap<>();
    for (TopicPartition tp : tracker.owned()) {
      consumer.currentLag(tp).ifPresent(l -> lag.put(tp, l));
    }
    lagListener.accept(lag);
  }

  /**
   * Lets go of partitions: takes back their queued records, waits up to the drain timeout for
   * in-flight ones, and (unless lost) commits synchronously.
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
      tracker.releasing(set); // lanes holding a job they have not started hand it back now
      awaitInFlight(set);
      Map<TopicPartition, OffsetAndMetadata> due = tracker.commitDue(set);
      if (!due.isEmpty()) {
        try {
          consumer.commitSync(due, COMMIT_TIMEOUT);
        } catch (RuntimeException e) {
          log.warn(
              "commit while releasing {} partitions failed; their unfinished records will be redelivered: {}",
              set.size(),
              e.getMessage());
        }
      }
    }
    tracker.revoke(set);
    held.keySet().removeAll(set);
    if (ledger != null) {
      ledger.forget(set);
    }
    owned = ownedJobPartitions();
    reportShare();
  }

  private void awaitInFlight(Set<TopicPartition> partitions) {
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    try {
      while (tracker.inFlight(partitions) > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          log.warn(
              "{} sends still in flight after {}; their offsets stay uncommitted",
              tracker.inFlight(partitions),
              drainTimeout);
          return;
        }
        Delivery d =
            finished.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
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
    if (contact != null) {
      contact.member(); // the coordinator answered this member's JoinGroup and SyncGroup
    }
    partitions.forEach(tracker::assign);
    partitions.forEach(held::remove);
    owned = ownedJobPartitions();
    reportShare();
    if (paused && !partitions.isEmpty()) {
      consumer.pause(partitions);
    }
    if (!partitions.isEmpty()) {
      log.info("assigned {} partitions; now own {}", partitions.size(), tracker.owned().size());
      if (ledger != null) {
        ledger.load(committedOffsets(partitions));
      }
    }
  }

  /** Each partition's committed offset, 0 when it has none (it is then read from the start). */
  private Map<TopicPartition, Long> committedOffsets(Collection<TopicPartition> partitions) {
    Map<TopicPartition, Long> out = new HashMap<>();
    Map<TopicPartition, OffsetAndMetadata> committed;
    try {
      committed = consumer.committed(Set.copyOf(partitions), COMMIT_TIMEOUT);
    } catch (org.apache.kafka.common.KafkaException e) {
      // Not fatal: from offset 0 the ledger index keeps more entries than it needs (those below
      // the committed offset are dropped as the partition is read), and skips the same records.
      log.warn(
          "could not read the committed offsets of {} partitions ({}); reading their ledger from"
              + " the start of its window",
          partitions.size(),
          e.getMessage());
      committed = Map.of();
    }
    for (TopicPartition tp : partitions) {
      OffsetAndMetadata c = committed.get(tp);
      out.put(tp, c == null ? 0L : c.offset());
    }
    return out;
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    if (contact != null) {
      contact.answered(); // a step of a rebalance the coordinator answered
    }
    if (!partitions.isEmpty()) {
      release(partitions, true);
      log.info("released {} partitions; now own {}", partitions.size(), tracker.owned().size());
    }
  }

  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    release(partitions, false);
    log.warn(
        "lost {} partitions without a clean hand-over; their unfinished records will be redelivered",
        partitions.size());
  }
}
