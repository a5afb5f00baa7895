package dev.postbus.worker.consume;

import static dev.postbus.worker.consume.LoopWaits.soon;
import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.worker.dedupe.Dedupe;
import dev.postbus.worker.dedupe.DedupeLoader;
import dev.postbus.worker.dedupe.Fingerprints;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.DispatchQueue;
import dev.postbus.worker.ledger.LedgerEntry;
import dev.postbus.worker.ledger.LedgerIndex;
import dev.postbus.worker.ledger.LedgerMark;
import dev.postbus.worker.ledger.LedgerMarks;
import dev.postbus.worker.ledger.LedgerPositions;
import dev.postbus.worker.ledger.LedgerReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A takeover whose read of the send ledger fails (its leader slow or unreachable, as it often is
 * when partitions move): the new owner must not send what the ledger holds as done. The partition
 * stays paused and its ledger is read again on the loop, on the loop's ticker, until a read
 * succeeds.
 */
class LedgerReadFailureTest {

  private static final String JOBS = "jobs";
  private static final TopicPartition P0 = new TopicPartition(JOBS, 0);
  private static final TopicPartition P1 = new TopicPartition(JOBS, 1);
  private static final TopicPartition LEDGER = new TopicPartition("jobs.ledger", 0);

  /**
   * The ledger's consumer: one entry, record 5 of jobs-0 finished; reads time out while failing.
   */
  private static final class FlakyLedger extends MockConsumer<byte[], byte[]> {
    final AtomicBoolean failing = new AtomicBoolean(true);
    final AtomicInteger reads = new AtomicInteger();

    FlakyLedger() {
      super("earliest");
      updateBeginningOffsets(Map.of(LEDGER, 0L));
      updateEndOffsets(Map.of(LEDGER, 1L));
    }

    @Override
    public synchronized Map<TopicPartition, Long> endOffsets(
        Collection<TopicPartition> partitions, Duration timeout) {
      reads.incrementAndGet();
      if (failing.get()) {
        throw new TimeoutException("Timeout of 60000ms expired before the end offsets were read");
      }
      return super.endOffsets(partitions, timeout);
    }

    @Override
    public synchronized void assign(Collection<TopicPartition> partitions) {
      super.assign(partitions);
      if (partitions.contains(LEDGER)) {
        addRecord(
            new ConsumerRecord<>(
                LEDGER.topic(),
                0,
                0L,
                null,
                new LedgerEntry(JOBS, 0, 5, "job-5", System.currentTimeMillis(), null).encode()));
      }
    }

    @Override
    public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
        Map<TopicPartition, Long> query, Duration timeout) {
      Map<TopicPartition, OffsetAndTimestamp> out = new HashMap<>();
      query.forEach((tp, t) -> out.put(tp, new OffsetAndTimestamp(0L, t)));
      return out;
    }
  }

  /** The loop's consumer; its committed() fails while {@code committedFails}. */
  private static final class Jobs extends MockConsumer<byte[], byte[]> {
    final AtomicBoolean committedFails = new AtomicBoolean();
    volatile Map<TopicPartition, OffsetAndMetadata> given; // null: the mock's own
    final List<Map<TopicPartition, OffsetAndMetadata>> asyncCommits =
        new java.util.concurrent.CopyOnWriteArrayList<>();

    Jobs() {
      super("earliest");
    }

    @Override
    public synchronized Map<TopicPartition, OffsetAndMetadata> committed(
        Set<TopicPartition> partitions, Duration timeout) {
      if (committedFails.get()) {
        throw new TimeoutException("Timeout of 10000ms expired before the committed offsets");
      }
      if (given != null) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>(given);
        out.keySet().retainAll(partitions);
        return out;
      }
      return super.committed(partitions, timeout);
    }

    @Override
    public synchronized void commitAsync(
        Map<TopicPartition, OffsetAndMetadata> offsets,
        org.apache.kafka.clients.consumer.OffsetCommitCallback callback) {
      asyncCommits.add(Map.copyOf(offsets));
      super.commitAsync(offsets, callback);
    }
  }

  private final Jobs consumer = new Jobs();
  private final FlakyLedger ledger = new FlakyLedger();
  private final AtomicLong nanos = new AtomicLong();
  private final AtomicInteger skips = new AtomicInteger();
  private final BlockingQueue<Delivery> finished = new LinkedBlockingQueue<>();
  private final List<Long> sent = new ArrayList<>();
  private Dedupe dedupe; // null: dedupe off
  private LedgerReader dedupeReader; // null: the takeovers' reader
  private LedgerPositions positions; // null: the index's own
  private DispatchQueue queue;
  private ConsumeLoop loop;
  private Thread thread;

  private void start() {
    start(
        new LedgerReader(ledger, LEDGER.topic(), 1),
        () -> new LedgerReader(ledger, LEDGER.topic(), 1));
  }

  /**
   * Starts the loop on jobs-0 (and jobs-1), reading the ledger with {@code reader} at takeovers and
   * with a reader of {@code retries} when a held partition's ledger is read again.
   */
  private void start(LedgerReader reader, Supplier<LedgerReader> retries) {
    consumer.updatePartitions(
        JOBS,
        List.of(
            new PartitionInfo(JOBS, 0, null, null, null),
            new PartitionInfo(JOBS, 1, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    consumer.commitSync(Map.of(P0, new OffsetAndMetadata(3))); // records 0-2 finished, committed
    queue = new DispatchQueue(64, 1 << 20, 20);
    loop =
        new ConsumeLoop(
            consumer,
            List.of(JOBS),
            Set.of(),
            queue,
            finished,
            () -> false,
            new LoopTimes(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofMinutes(5)),
            Clock.systemUTC());
    loop.useLedger(
        positions == null
            ? new LedgerIndex(reader, Duration.ofDays(1), Clock.systemUTC())
            : new LedgerIndex(reader, Duration.ofDays(1), Clock.systemUTC(), positions),
        skips::incrementAndGet,
        (d, entry) -> finished.add(d),
        Runnable::run);
    loop.readHeldWith(retries);
    if (dedupe != null) {
      loop.useDedupe(
          new DedupeLoader(
              dedupeReader == null ? reader : dedupeReader, dedupe, Clock.systemUTC()));
    }
    loop.timeWith(nanos::get);
    thread = new Thread(loop, "ledger-read-failure-test");
    thread.start();
    soon().until(() -> !consumer.subscription().isEmpty());
  }

  @AfterEach
  void stop() throws InterruptedException {
    unblock.countDown();
    if (loop != null) {
      loop.requestStop();
      thread.join(10_000);
      assertThat(thread.isAlive()).as("the consume loop stopped").isFalse();
    }
  }

  /** Runs a task on the consumer thread at its next poll and waits until it has run. */
  private void oneLoopPass() {
    AtomicBoolean ran = new AtomicBoolean();
    consumer.schedulePollTask(() -> ran.set(true));
    soon().untilTrue(ran);
  }

  private void takeOver() {
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(P0));
          for (long offset = 3; offset <= 6; offset++) {
            consumer.addRecord(
                new ConsumerRecord<>(
                    JOBS, 0, offset, null, ("job-" + offset).getBytes(StandardCharsets.UTF_8)));
          }
        });
  }

  /** What the lanes were handed, taken off the queue as a lane would, each finished at once. */
  private List<Long> dispatched() throws InterruptedException {
    Delivery d;
    while ((d = queue.take(Duration.ZERO)) != null) {
      sent.add(d.offset());
      finished.add(d);
    }
    return sent;
  }

  @Test
  void aPartitionWhoseLedgerReadFailsSendsNothingUntilARetrySucceedsThenSkipsWhatItHolds()
      throws Exception {
    start();
    takeOver();
    soon().until(() -> ledger.reads.get() == 1);
    for (int i = 0; i < 5; i++) {
      oneLoopPass();
    }
    assertThat(dispatched())
        .as("nothing sent from jobs-0 while its ledger cannot be read (offset 5 is done)")
        .isEmpty();
    assertThat(consumer.paused()).containsExactly(P0);
    assertThat(loop.ledgerUnreadPartitions()).isEqualTo(1);
    assertThat(ledger.reads).as("not read again before 10 s on the loop's ticker").hasValue(1);

    nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    soon().until(() -> ledger.reads.get() == 2); // still failing: still held
    oneLoopPass();
    assertThat(dispatched()).isEmpty();
    assertThat(consumer.paused()).containsExactly(P0);

    ledger.failing.set(false);
    nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    soon().until(() -> queue.size() == 3);
    assertThat(dispatched())
        .as("offset 5 skipped: the ledger holds it as done")
        .containsExactly(3L, 4L, 6L);
    assertThat(skips).hasValue(1);
    assertThat(loop.ledgerUnreadPartitions()).isZero();
    assertThat(consumer.paused()).isEmpty();
  }

  @Test
  void aTakeoverWhoseCommittedOffsetsCannotBeReadIsHeldAndReadOnTheLoop() throws Exception {
    ledger.failing.set(false);
    consumer.committedFails.set(true);
    start();
    takeOver();
    for (int i = 0; i < 5; i++) {
      oneLoopPass();
    }
    assertThat(ledger.reads).as("not read by time, whole, in the callback").hasValue(0);
    assertThat(dispatched()).isEmpty();
    assertThat(consumer.paused()).containsExactly(P0);

    consumer.committedFails.set(false);
    nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    soon().until(() -> queue.size() == 3);
    assertThat(dispatched()).containsExactly(3L, 4L, 6L);
    assertThat(skips).hasValue(1);
  }

  private static final TopicPartition LEDGER1 = new TopicPartition("jobs.ledger", 1);
  private final CountDownLatch unblock = new CountDownLatch(1);
  private final CountDownLatch blocked = new CountDownLatch(1);

  /**
   * A ledger of two partitions, both empty: ledger partition 0's read fails at once, or, once
   * {@code block} is set, hangs until the test lets it go (its leader gone: 60 s), then fails.
   */
  private final class HalfLedger extends MockConsumer<byte[], byte[]> {
    volatile boolean block;

    HalfLedger() {
      super("earliest");
      updateBeginningOffsets(Map.of(LEDGER, 0L, LEDGER1, 0L));
      updateEndOffsets(Map.of(LEDGER, 0L, LEDGER1, 0L));
    }

    @Override
    public Map<TopicPartition, Long> endOffsets(
        Collection<TopicPartition> partitions, Duration timeout) {
      if (partitions.contains(LEDGER)) {
        if (block) {
          blocked.countDown();
          try {
            unblock.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        throw new TimeoutException("Timeout of 60000ms expired before the end offsets were read");
      }
      return super.endOffsets(partitions, timeout);
    }

    @Override
    public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
        Map<TopicPartition, Long> query, Duration timeout) {
      return Map.of(); // nothing since then: read from the end
    }
  }

  /**
   * One ledger partition of two cannot be read: the retry of the partition it holds hangs (60 s and
   * more against a partition without a leader), and the loop goes on meanwhile: the other
   * partition's records are sent, its offsets committed, Kafka's contact judged.
   */
  @Test
  void aRetryThatHangsDoesNotStopThePartitionsNotHeld() throws Exception {
    HalfLedger takeovers = new HalfLedger();
    HalfLedger retries = new HalfLedger();
    retries.block = true;
    start(
        new LedgerReader(takeovers, LEDGER.topic(), 2),
        () -> new LedgerReader(retries, LEDGER.topic(), 2));
    consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0)));
    soon().until(() -> loop.ledgerUnreadPartitions() == 1);
    consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0, P1)));
    soon().until(() -> loop.ownedPartitions() == 2);
    takeovers.block = true; // from now on, whichever reader reads ledger partition 0 hangs

    nanos.addAndGet(Duration.ofSeconds(10).toNanos()); // the retry of jobs-0 is due
    soon().until(() -> blocked.getCount() == 0);
    consumer.schedulePollTask(
        () -> {
          for (long offset = 0; offset < 5; offset++) {
            consumer.addRecord(
                new ConsumerRecord<>(
                    JOBS, 1, offset, null, ("job-1-" + offset).getBytes(StandardCharsets.UTF_8)));
          }
        });
    soon().until(() -> queue.size() == 5);
    assertThat(dispatched())
        .as("jobs-1's records sent while the retry of jobs-0 hangs")
        .containsExactly(0L, 1L, 2L, 3L, 4L);
    soon().until(finished::isEmpty); // the loop applied them
    nanos.addAndGet(Duration.ofHours(1).toNanos()); // the commit interval
    long seen = nanos.get();
    soon().until(() -> loop.watchedAt() >= seen);
    soon()
        .until(
            () -> {
              AtomicLong at = new AtomicLong(-1);
              AtomicBoolean ran = new AtomicBoolean();
              consumer.schedulePollTask(
                  () -> {
                    OffsetAndMetadata o = consumer.committed(Set.of(P1)).get(P1);
                    at.set(o == null ? -1 : o.offset());
                    ran.set(true);
                  });
              soon().untilTrue(ran);
              return at.get() == 5;
            });
    assertThat(consumer.paused()).as("jobs-0 still held").containsExactly(P0);
    assertThat(loop.ledgerUnreadPartitions()).isEqualTo(1);
  }

  /**
   * Ledger partition 0 cannot be read (its leader down): jobs-0 is held. jobs-1, taken on later,
   * has its own ledger partition, healthy: its takeover reads that one only, not jobs-0's too, and
   * it sends.
   */
  @Test
  void aPartitionTakenOnWhileAnotherIsHeldReadsOnlyItsOwnLedgerPartition() throws Exception {
    dedupe = new Dedupe(Duration.ofDays(1), Clock.systemUTC(), 2);
    start(
        new LedgerReader(new HalfLedger(), LEDGER.topic(), 2),
        () -> new LedgerReader(new HalfLedger(), LEDGER.topic(), 2));
    consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0)));
    soon().until(() -> loop.ledgerUnreadPartitions() == 1);
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(P0, P1));
          for (long offset = 0; offset < 3; offset++) {
            consumer.addRecord(
                new ConsumerRecord<>(
                    JOBS, 1, offset, null, ("job-1-" + offset).getBytes(StandardCharsets.UTF_8)));
          }
        });
    soon().until(() -> loop.ownedPartitions() == 2);
    oneLoopPass();
    assertThat(consumer.paused()).as("jobs-0 held, jobs-1 not").containsExactly(P0);
    assertThat(loop.ledgerUnreadPartitions()).isEqualTo(1);
    soon().until(() -> queue.size() == 3);
    assertThat(dispatched()).as("jobs-1's records").containsExactly(0L, 1L, 2L);
  }

  /**
   * jobs-0 and jobs-1, taken on together, are both held (their one ledger read failed on ledger
   * partition 0); the read again reads each ledger partition on its own: jobs-1's, healthy, is
   * released while jobs-0's still fails.
   */
  @Test
  void aReadAgainReleasesThePartitionsOfAHealthyLedgerPartition() throws Exception {
    dedupe = new Dedupe(Duration.ofDays(1), Clock.systemUTC(), 2);
    start(
        new LedgerReader(new HalfLedger(), LEDGER.topic(), 2),
        () -> new LedgerReader(new HalfLedger(), LEDGER.topic(), 2));
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(P0, P1));
          for (long offset = 0; offset < 3; offset++) {
            consumer.addRecord(
                new ConsumerRecord<>(
                    JOBS, 1, offset, null, ("job-1-" + offset).getBytes(StandardCharsets.UTF_8)));
          }
        });
    soon().until(() -> loop.ledgerUnreadPartitions() == 2);

    nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    soon().until(() -> loop.ledgerUnreadPartitions() == 1);
    soon().until(() -> queue.size() == 3);
    assertThat(dispatched()).as("jobs-1's records").containsExactly(0L, 1L, 2L);
    assertThat(consumer.paused()).as("jobs-0 still held").containsExactly(P0);
  }

  /**
   * A takeover whose ledger read failed does not read the dedupe index too, in the same callback
   * (60 s more against a leader gone): it is read again with the ledger, off the loop.
   */
  @Test
  void aTakeoverWhoseLedgerReadFailedLeavesItsDedupeIndexToTheReadAgain() throws Exception {
    dedupe = new Dedupe(Duration.ofDays(1), Clock.systemUTC(), 1);
    start();
    takeOver();
    soon().until(() -> loop.ledgerUnreadPartitions() == 1);
    oneLoopPass();
    assertThat(ledger.reads).as("the ledger read only, in the callback").hasValue(1);
    assertThat(dedupe.loaded()).isEmpty();
  }

  /**
   * jobs-0, its ledger read but its dedupe index not, is held; its commit carried a ledger mark,
   * and the ledger partition it shares fills past LAG_LIMIT entries: a held partition commits
   * nothing, also not to move its mark.
   */
  @Test
  void aPartitionHeldForItsDedupeIndexIsNotCommittedAgainForALaggingMark() throws Exception {
    ledger.failing.set(false);
    dedupe = new Dedupe(Duration.ofDays(1), Clock.systemUTC(), 1);
    dedupeReader = new LedgerReader(new FlakyLedger(), LEDGER.topic(), 1); // fails
    positions = new LedgerPositions(1);
    // committed past the ledger's entry (offset 5): no entry pins its mark
    consumer.given =
        Map.of(P0, new OffsetAndMetadata(6, new LedgerMark(LEDGER.topic(), 1, 0, 0).format()));
    start(
        new LedgerReader(ledger, LEDGER.topic(), 1),
        () -> new LedgerReader(new FlakyLedger(), LEDGER.topic(), 1));
    consumer.asyncCommits.clear(); // the mock's commitSync of the set-up commits asynchronously
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(P0));
          consumer.seek(P0, 6); // from its commit (the mock starts at 0)
        });
    soon().until(() -> loop.ledgerUnreadPartitions() == 1);
    oneLoopPass();

    positions.acked(0, 2 * LedgerMarks.LAG_LIMIT); // other partitions' entries
    nanos.addAndGet(Duration.ofHours(1).toNanos()); // the commit interval
    long seen = nanos.get();
    soon().until(() -> loop.watchedAt() >= seen); // the interval's work ran, the commit after it
    oneLoopPass();
    oneLoopPass();
    assertThat(consumer.paused()).containsExactly(P0);
    assertThat(consumer.asyncCommits)
        .as("no commit of held jobs-0")
        .noneMatch(c -> c.containsKey(P0));
  }

  /**
   * The takeover's reads of the ledger and of the dedupe index fail, then succeed on the loop: the
   * partition resumes with both read, and a second record of a job id the ledger holds as finished
   * is a duplicate, not a second mail.
   */
  @Test
  void aHeldPartitionResumesWithItsDedupeIndexRead() throws Exception {
    dedupe = new Dedupe(Duration.ofDays(1), Clock.systemUTC(), 1);
    start();
    takeOver();
    soon().until(() -> loop.ledgerUnreadPartitions() == 1);
    oneLoopPass();
    assertThat(dispatched()).isEmpty();

    ledger.failing.set(false);
    nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    soon().until(() -> queue.size() == 3);
    assertThat(dispatched()).containsExactly(3L, 4L, 6L);
    assertThat(dedupe.tryClaim("a second record of job-5", P0, 7, Fingerprints.idHash("job-5"), 0))
        .as("job-5, finished at offset 5, published again at 7")
        .isInstanceOf(Dedupe.Duplicate.class);
  }
}
