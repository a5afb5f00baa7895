package dev.postbus.worker.consume;

import dev.postbus.job.JobClass;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.DeliveryHeaders;
import dev.postbus.worker.dispatch.DispatchQueue;
import dev.postbus.worker.dispatch.OffsetTracker;
import dev.postbus.worker.dispatch.PartitionOffsets;
import dev.postbus.worker.ledger.LedgerEntry;
import dev.postbus.worker.ledger.LedgerIndex;
import dev.postbus.worker.ledger.LedgerReader;
import dev.postbus.worker.time.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer thread: the only code that touches the KafkaConsumer. It polls the jobs topic and
 * the retry tiers, hands records to the lanes through the {@link DispatchQueue} (or skips those the
 * send ledger holds as finished, and sends nothing from a partition whose ledger could not be read:
 * {@link LedgerHolds}), applies finished results from the mailbox, and every commit interval judges
 * its contact with Kafka, reports lag and commits. The rest is in small parts of its own: {@link
 * Pauses} (the one place that pauses: {@link Backpressure}, {@link TierHolds}, {@link
 * ClassPauses}), {@link OffsetCommits}, {@link ContactWatch} and {@link Rebalance} (partitions
 * coming and going).
 */
public final class ConsumeLoop implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(ConsumeLoop.class);
  private static final Duration POLL = Duration.ofMillis(50);

  private final Consumer<byte[], byte[]> consumer;
  private final List<String> topics;
  private final Set<String> tierTopics;
  private final Clock clock;
  private final DispatchQueue queue;
  private final BlockingQueue<Delivery> finished;
  private final Duration commitInterval;
  private final RebalanceTime rebalanceTime;
  private final OffsetTracker tracker = new OffsetTracker();
  private final TierHolds tiers;
  private final Pauses pauses;
  private String bulkTopic; // null: classes off, every record transactional
  private final ContactWatch watch = new ContactWatch();
  private final OffsetCommits commits;
  private final LedgerSkips ledger;
  private final ShareReport share;
  private final Rebalance rebalance;
  private volatile boolean stopRequested;
  private volatile int pausedPartitions;
  private volatile java.util.function.Consumer<Map<TopicPartition, Long>> lagListener = lag -> {};
  private long nextCommitNanos;
  private Duration step;
  private Ticker ticker = Ticker.SYSTEM;

  /**
   * @param finished the mailbox where lanes put deliveries whose outcome is durable
   * @param times the commit interval, the drain timeout and the consumer's max.poll.interval.ms
   */
  public ConsumeLoop(
      Consumer<byte[], byte[]> consumer,
      List<String> topics,
      Set<String> tierTopics,
      DispatchQueue queue,
      BlockingQueue<Delivery> finished,
      BooleanSupplier deliveryHeld,
      LoopTimes times,
      Clock clock) {
    this.consumer = consumer;
    this.topics = List.copyOf(topics);
    this.tierTopics = Set.copyOf(tierTopics);
    this.clock = clock;
    this.queue = queue;
    this.finished = finished;
    this.commitInterval = times.commitInterval();
    this.ledger = new LedgerSkips(finished, queue, consumer);
    this.rebalanceTime = new RebalanceTime(() -> ticker.read(), times.maxPollInterval(), ledger);
    this.tiers = new TierHolds(consumer, clock);
    this.pauses =
        new Pauses(
            consumer, queue, new Backpressure(queue, deliveryHeld), tiers, this.ledger::held);
    this.commits = new OffsetCommits(consumer, tracker, watch, ledger);
    this.share = new ShareReport(consumer, this.topics);
    this.rebalance =
        new Rebalance(
            new Rebalance.Parts(
                consumer,
                otherTopics(this.topics, this.tierTopics),
                tracker,
                queue,
                finished,
                tiers,
                pauses,
                commits,
                ledger,
                share,
                watch,
                rebalanceTime),
            times.drainTimeout());
  }

  /** The topics consumed but the jobs topic (the first): the tiers and the bulk topic. */
  private static Set<String> otherTopics(List<String> topics, Set<String> tiers) {
    Set<String> other = new java.util.HashSet<>(tiers);
    if (!topics.isEmpty()) {
      other.add(JobClass.BULK.topic(topics.get(0)));
    }
    return Set.copyOf(other);
  }

  /**
   * How many partitions of the jobs topic (transactional jobs) this worker owns now; readable from
   * any thread.
   */
  public int ownedPartitions() {
    return rebalance.ownedJobPartitions();
  }

  /** The ticker's reading when the loop last judged its contact with Kafka. */
  long watchedAt() {
    return watch.watchedAt();
  }

  /**
   * How long the rebalance work of the last poll that moved partitions took, its release and its
   * assignment (zero before the first); any thread.
   */
  public Duration lastAssignment() {
    return rebalanceTime.lastTook();
  }

  /** Partitions paused now (backpressure, relay problem, or a retry tier waiting for its head). */
  public int pausedPartitions() {
    return pausedPartitions;
  }

  /**
   * Partitions taken over whose send ledger could not be read yet: nothing is sent from them, they
   * stay paused and their ledger is read again every 10 s; any thread.
   */
  public int ledgerUnreadPartitions() {
    return ledger.heldCount();
  }

  /**
   * Receives the consumer lag of every owned partition, on the consumer thread, once per commit
   * interval.
   */
  public void onLag(java.util.function.Consumer<Map<TopicPartition, Long>> listener) {
    this.lagListener = listener;
  }

  /**
   * The source of elapsed time for the commit timer, the rebalance's time and its drain's deadline
   * (set before {@link #run}); the system's by default.
   */
  public void timeWith(Ticker source) {
    this.ticker = source;
    ledger.timeWith(source);
  }

  /**
   * Told, on every rebalance, how many of the partitions the group consumes (jobs and tiers) this
   * worker owns, and of how many (set before {@link #run}).
   */
  public void onShare(BiConsumer<Integer, Integer> listener) {
    share.listen(listener);
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
      BiConsumer<Delivery, LedgerEntry> rewriteEvent,
      Executor rewrites) {
    this.ledger.use(ledger, onSkip, rewriteEvent, rewrites);
  }

  /**
   * Where the send ledger (and dedupe index) of partitions held since their takeover read failed is
   * read again: readers of their own, on a thread of their own, so the loop goes on meanwhile (set
   * before {@link #run}, with {@link #useLedger}). Unset, the loop reads them itself (tests).
   */
  public void readHeldWith(Supplier<LedgerReader> readers) {
    ledger.readHeldWith(readers);
  }

  /**
   * Builds the dedupe index of the ledger partitions of the partitions owned (the jobs topics' and
   * the retry tiers': a tier's records are checked too), at every assignment (set before {@link
   * #run}, after {@link #useLedger}).
   */
  public void useDedupe(dev.postbus.worker.dedupe.DedupeLoader loader) {
    this.ledger.useDedupe(loader);
  }

  /**
   * Schedules the two job classes (set before {@link #run}): records of {@code <jobsTopic>.bulk}
   * (and of a tier, when their {@code postbus.class} header says bulk) are bulk, and bulk
   * partitions are paused while transactional jobs wait, as {@code floorReserve} allows ({@link
   * ClassPauses}). Without it only the queue and the holds pause partitions.
   */
  public void useClasses(String jobsTopic, int floorReserve) {
    classify(jobsTopic);
    pauses.useClasses(jobsTopic, tierTopics, new ClassPauses(floorReserve));
  }

  /**
   * Tells each record's class (set before {@link #run}; with the classes off too, for the figures
   * and the records' headers): {@code <jobsTopic>.bulk} is bulk, a tier's record its header's.
   */
  public void classify(String jobsTopic) {
    this.bulkTopic = JobClass.BULK.topic(jobsTopic);
  }

  /** Reports whether Kafka is in touch (set before {@link #run}). */
  public void watchContact(KafkaContact contact) {
    watch.use(contact);
  }

  public void requestStop() {
    stopRequested = true;
  }

  @Override
  public void run() {
    watch.start(); // not before: the silence of the start-up work is not Kafka's
    nextCommitNanos = ticker.read(); // the first interval at once (the ticker's origin is any)
    step = watch.step(commitInterval);
    try {
      consumer.subscribe(topics, rebalance);
      while (!stopRequested) {
        rebalanceTime.pollStarted(); // the rebalance callbacks inside this poll share its budget
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
        if (!records.isEmpty()) {
          watch.answered();
        }
        dispatch(records);
        applyFinished();
        ledger.retryHeld(tracker.owned()); // a partition whose ledger is read now resumes at once
        pauses.apply();
        everyInterval();
      }
      rebalance.release(tracker.owned(), true);
    } finally {
      ledger.close();
      consumer.close(OffsetCommits.TIMEOUT);
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
      if (ledger.holds(tp)) { // fetched before its pause: read again once its ledger is
        consumer.seek(tp, records.records(tp).get(0).offset());
        continue;
      }
      boolean tier = tierTopics.contains(tp.topic());
      boolean bulkTopicRecord = tp.topic().equals(bulkTopic);
      for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
        Instant due = tier ? DeliveryHeaders.due(r.headers()) : null;
        if (due != null && due.isAfter(now)) {
          tiers.hold(tp, r.offset(), due);
          break; // the rest of this partition is due later still; it is read again after the hold
        }
        owner.track(r.offset());
        JobClass c =
            bulkTopicRecord
                ? JobClass.BULK
                : tier ? DeliveryHeaders.jobClass(r.headers()) : JobClass.TRANSACTIONAL;
        Delivery d =
            new Delivery(tp, r.offset(), r.key(), r.value(), r.headers(), r.timestamp(), owner, c);
        if (!ledger.skipped(d)) {
          queue.add(d);
        }
      }
    }
  }

  private void applyFinished() {
    Delivery d;
    while ((d = finished.poll()) != null) {
      tracker.finished(d);
      ledger.finished(d);
    }
  }

  /**
   * Once per commit interval (or a third of kafka-lost-after, if shorter): the share (if owed, or
   * when the partition count the consumer holds changed), Kafka's contact, lag, and the commit.
   */
  private void everyInterval() {
    long now = ticker.read();
    if (now - nextCommitNanos < 0) {
      return;
    }
    nextCommitNanos = now + step.toNanos();
    share.recheck(tracker.owned().size());
    watch.judge(consumer, now, owningUnheld());
    reportLag();
    commits.commit();
  }

  /**
   * True when this member owns a partition not held for its ledger: one it may send from, and so
   * may be fenced from while sending. A held partition sends nothing, and commits nothing (its
   * commit stays as read): it needs no proof of membership, and can give none.
   */
  private boolean owningUnheld() {
    for (TopicPartition tp : tracker.owned()) {
      if (!ledger.holds(tp)) {
        return true;
      }
    }
    return false;
  }

  private void reportLag() {
    pausedPartitions = consumer.paused().size();
    Map<TopicPartition, Long> lag = new HashMap<>();
    for (TopicPartition tp : tracker.owned()) {
      consumer.currentLag(tp).ifPresent(l -> lag.put(tp, l));
    }
    lagListener.accept(lag);
  }
}
