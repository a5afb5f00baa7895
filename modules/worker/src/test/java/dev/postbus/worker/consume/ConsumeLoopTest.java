package dev.postbus.worker.consume;

import static dev.postbus.worker.consume.LoopWaits.soon;
import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.job.PostbusHeaders;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.DispatchQueue;
import dev.postbus.worker.time.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The consumer thread against Kafka's MockConsumer: backpressure, a retry tier held until its head
 * is due, and revocation handing queued records back. (ConsumeLoop's integration tests run on a
 * real broker.)
 */
class ConsumeLoopTest {

  private static final String JOBS = "jobs";
  private static final String TIER = "jobs.retry.30s";
  private static final TopicPartition P0 = new TopicPartition(JOBS, 0);
  private static final TopicPartition T0 = new TopicPartition(TIER, 0);

  private final RecordingConsumer consumer = new RecordingConsumer();

  /** Remembers the synchronous commits (the ones made while letting partitions go). */
  private static final class RecordingConsumer extends MockConsumer<byte[], byte[]> {
    final List<Map<TopicPartition, Long>> releaseCommits =
        new java.util.concurrent.CopyOnWriteArrayList<>();

    RecordingConsumer() {
      super("earliest");
    }

    @Override
    public synchronized void commitSync(
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets,
        Duration timeout) {
      Map<TopicPartition, Long> plain = new java.util.HashMap<>();
      offsets.forEach((tp, o) -> plain.put(tp, o.offset()));
      releaseCommits.add(plain);
      super.commitSync(offsets, timeout);
    }
  }

  private final BlockingQueue<Delivery> finished = new LinkedBlockingQueue<>();
  private ConsumeLoop loop;
  private Thread thread;

  private DispatchQueue start(int queueCapacity, Set<String> tiers) {
    return start(queueCapacity, tiers, Duration.ofMillis(10));
  }

  private DispatchQueue start(int queueCapacity, Set<String> tiers, Duration commitInterval) {
    return start(queueCapacity, tiers, commitInterval, Ticker.SYSTEM);
  }

  private DispatchQueue start(
      int queueCapacity, Set<String> tiers, Duration commitInterval, Ticker ticker) {
    consumer.updatePartitions(JOBS, List.of(new PartitionInfo(JOBS, 0, null, null, null)));
    consumer.updatePartitions(TIER, List.of(new PartitionInfo(TIER, 0, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(P0, 0L, T0, 0L));
    DispatchQueue queue =
        new DispatchQueue(queueCapacity, 1 << 20, 20); // MockConsumer ignores max.poll.records
    List<String> topics = new ArrayList<>(List.of(JOBS));
    topics.addAll(tiers);
    loop =
        new ConsumeLoop(
            consumer,
            topics,
            tiers,
            queue,
            finished,
            () -> false,
            new LoopTimes(commitInterval, Duration.ofSeconds(5), Duration.ofMinutes(5)),
            Clock.systemUTC());
    loop.timeWith(ticker);
    thread = new Thread(loop, "consume-loop-test");
    thread.start();
    soon().until(() -> !consumer.subscription().isEmpty());
    return queue;
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (loop != null) {
      loop.requestStop();
      thread.join(10_000);
      assertThat(thread.isAlive()).as("the consume loop stopped").isFalse();
    }
  }

  private void onConsumerThread(Runnable task) {
    consumer.schedulePollTask(task);
  }

  private static ConsumerRecord<byte[], byte[]> record(
      TopicPartition tp, long offset, RecordHeaders headers) {
    return new ConsumerRecord<>(
        tp.topic(),
        tp.partition(),
        offset,
        0L,
        TimestampType.CREATE_TIME,
        0,
        0,
        null,
        ("job-" + offset).getBytes(StandardCharsets.UTF_8),
        headers,
        java.util.Optional.empty());
  }

  @Test
  void aFullQueuePausesThePartitionsAndTheyResumeOnceTheLanesCatchUp() throws InterruptedException {
    DispatchQueue queue = start(4, Set.of());
    onConsumerThread(
        () -> {
          consumer.rebalance(List.of(P0));
          for (long i = 0; i < 20; i++) {
            consumer.addRecord(record(P0, i, new RecordHeaders()));
          }
        });
    soon().until(() -> queue.size() >= 4 && consumer.paused().contains(P0));

    List<Long> taken = new ArrayList<>();
    for (int i = 0; i < 20; i++) { // the lanes: take, finish
      Delivery d = queue.take(Duration.ofSeconds(5));
      assertThat(d).as("record %d of 20 dispatched within 5 s", i).isNotNull();
      taken.add(d.offset());
      finished.add(d);
    }
    assertThat(taken)
        .as("every record once, in order")
        .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 20).boxed().toList());
    soon().until(() -> consumer.paused().isEmpty());
    soon()
        .until(
            () -> {
              var committed = consumer.committed(Set.of(P0)).get(P0);
              return committed != null && committed.offset() == 20;
            });
  }

  @Test
  void aRetryTierIsHeldAtItsHeadUntilTheRecordIsDue() throws InterruptedException {
    DispatchQueue queue = start(64, Set.of(TIER));
    RecordHeaders later = new RecordHeaders();
    later.add(
        PostbusHeaders.DUE,
        Instant.now().plusSeconds(3600).toString().getBytes(StandardCharsets.UTF_8));
    onConsumerThread(
        () -> {
          consumer.rebalance(List.of(P0, T0));
          consumer.addRecord(record(T0, 0, later));
          consumer.addRecord(record(P0, 0, new RecordHeaders()));
        });
    soon().until(() -> queue.size() == 1 && consumer.paused().contains(T0));
    Delivery taken = queue.take(Duration.ZERO);
    assertThat(taken.partition()).as("the jobs topic flows on").isEqualTo(P0);
    assertThat(consumer.paused()).containsExactly(T0);
    finished.add(taken); // as a lane would: nothing left in flight for the stop to wait on
  }

  @Test
  void revokedPartitionsTakeBackTheirQueuedRecordsAndCommitWhatIsFinished()
      throws InterruptedException {
    DispatchQueue queue =
        start(64, Set.of(), Duration.ofHours(1)); // no periodic commit: only the hand-over's
    onConsumerThread(
        () -> {
          consumer.rebalance(List.of(P0));
          for (long i = 0; i < 5; i++) {
            consumer.addRecord(record(P0, i, new RecordHeaders()));
          }
        });
    soon().until(() -> queue.size() == 5);
    Delivery first = queue.take(Duration.ZERO);
    finished.add(first); // one finished; four still queued
    onConsumerThread(() -> consumer.rebalance(List.of()));
    soon().until(() -> loop.ownedPartitions() == 0);
    assertThat(queue.size()).as("queued records handed back, not sent").isZero();
    // (MockConsumer forgets the commits of a partition it no longer owns, so the hand-over's commit
    // is read here.)
    assertThat(consumer.releaseCommits)
        .as("only the finished one committed when letting go")
        .containsExactly(Map.of(P0, 1L));
    assertThat(first.owner().revoked()).isTrue();
  }

  /** Runs {@code task} on the consumer thread at its next poll and waits until it has run. */
  private void oneLoopPass() {
    java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
    consumer.schedulePollTask(() -> ran.set(true));
    soon().untilTrue(ran);
  }

  @Test
  void finishedRecordsAreCommittedWhenTheCommitIntervalHasPassedOnTheTicker() throws Exception {
    // An hour's interval: only the injected ticker, moved by hand, can make the commit due in this
    // test.
    java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
    DispatchQueue queue = start(64, Set.of(), Duration.ofHours(1), nanos::get);
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(P0));
          for (long i = 0; i < 3; i++) {
            consumer.addRecord(record(P0, i, new RecordHeaders()));
          }
        });
    soon().until(() -> queue.size() == 3);
    for (int i = 0; i < 3; i++) {
      finished.add(queue.take(Duration.ZERO));
    }
    oneLoopPass();
    oneLoopPass(); // a whole pass after the results were applied: the timer was asked, and said no
    var before = consumer.committed(Set.of(P0)).get(P0);
    assertThat(before == null ? 0 : before.offset()).as("the interval has not passed").isZero();

    nanos.addAndGet(Duration.ofHours(1).toNanos());
    soon()
        .until(
            () -> {
              var committed = consumer.committed(Set.of(P0)).get(P0);
              return committed != null && committed.offset() == 3;
            });
  }

  /** A ledger reader's consumer holding one entry: record 0 of P0 was delivered before a crash. */
  private static final class OneEntryLedger extends MockConsumer<byte[], byte[]> {
    static final TopicPartition LEDGER = new TopicPartition("jobs.ledger", 0);
    private final int entries;

    OneEntryLedger() {
      this(1);
    }

    /** Records 0 .. entries-1 of P0 were delivered before a crash. */
    OneEntryLedger(int entries) {
      super("earliest");
      this.entries = entries;
      updateBeginningOffsets(Map.of(LEDGER, 0L));
      updateEndOffsets(Map.of(LEDGER, (long) entries));
    }

    @Override
    public synchronized void assign(java.util.Collection<TopicPartition> partitions) {
      super.assign(partitions);
      if (partitions.contains(LEDGER)) {
        byte[] event = "{\"type\":\"delivered\"}".getBytes(StandardCharsets.UTF_8);
        for (long offset = 0; offset < entries; offset++) {
          addRecord(
              new ConsumerRecord<>(
                  LEDGER.topic(),
                  0,
                  offset,
                  null,
                  new dev.postbus.worker.ledger.LedgerEntry(
                          JOBS, 0, offset, "job-" + offset, System.currentTimeMillis(), event)
                      .encode()));
        }
      }
    }

    @Override
    public synchronized Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndTimestamp>
        offsetsForTimes(Map<TopicPartition, Long> query, Duration timeout) {
      Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndTimestamp> out =
          new java.util.HashMap<>();
      query.forEach(
          (tp, t) -> out.put(tp, new org.apache.kafka.clients.consumer.OffsetAndTimestamp(0L, t)));
      return out;
    }
  }

  /**
   * A new owner writes again the delivered event of a record the ledger skips: a producer send,
   * which can block for max.block.ms (the events topic's metadata missing). It runs off the
   * consumer thread, which goes on polling and dispatching meanwhile.
   */
  @Test
  void rewritingASkippedRecordsEventDoesNotBlockTheConsumerThread() throws Exception {
    java.util.concurrent.CountDownLatch rewriting = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch sendReturns = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.ExecutorService ours =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      DispatchQueue queue =
          startWithLedger(
              (d, entry) -> { // a send blocked on the events topic's metadata, then acknowledged
                rewriting.countDown();
                try {
                  sendReturns.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                finished.add(d);
              },
              ours);
      onConsumerThread(
          () -> {
            consumer.rebalance(List.of(P0));
            consumer.addRecord(record(P0, 0, new RecordHeaders())); // skipped: in the ledger
            consumer.addRecord(record(P0, 1, new RecordHeaders()));
          });
      assertThat(rewriting.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      soon()
          .alias("the next record is dispatched while the rewrite blocks")
          .until(() -> queue.size() == 1);
      Delivery next = queue.take(Duration.ZERO);
      assertThat(next.offset()).isEqualTo(1);
      finished.add(next); // as a lane would: nothing left in flight for the stop to wait on
    } finally {
      sendReturns.countDown();
      ours.shutdown();
    }
  }

  @Test
  void aRewriteThatThrowsIsLoggedNamingItsRecordAndTheRecordIsFinished() throws Exception {
    rewriteFails(new IllegalStateException("a bug in the rewrite"));
  }

  @Test
  void aRewriteThatThrowsAnErrorIsLoggedNamingItsRecordAndTheRecordIsFinished() throws Exception {
    rewriteFails(new LinkageError("an error in the rewrite"));
  }

  @Test
  void aRewriteThatThrowsQuotingThePayloadIsLoggedWithoutIt() throws Exception {
    rewriteFails( // as Jackson quotes the source it could not read
        new IllegalStateException("cannot write {\"to\":\"alice@example.com\"} again"));
  }

  /**
   * The rewrite runs on postbus-resend, a ScheduledThreadPoolExecutor: its execute() keeps what a
   * task throws in a future nobody reads. A throwing rewrite is logged, naming the record (never
   * its recipient), and the record is finished: the ledger holds the mail as sent, so only this
   * copy of its event is missing (the log says which), and its partition's commits go on.
   */
  private void rewriteFails(Throwable failure) throws Exception {
    ch.qos.logback.classic.Logger loopLog =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ConsumeLoop.class);
    var lines =
        new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
    lines.start();
    loopLog.addAppender(lines);
    java.util.concurrent.ScheduledExecutorService resend =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    try {
      startWithLedger(
          (d, entry) -> {
            if (failure instanceof Error e) {
              throw e;
            }
            throw (RuntimeException) failure;
          },
          resend);
      onConsumerThread(
          () -> {
            consumer.rebalance(List.of(P0));
            consumer.addRecord( // skipped: in the ledger
                new ConsumerRecord<>(
                    JOBS,
                    0,
                    0L,
                    null,
                    "{\"to\":\"alice@example.com\"}".getBytes(StandardCharsets.UTF_8)));
          });
      soon()
          .untilAsserted(
              () ->
                  assertThat(logged(lines))
                      .as("the failure is logged, naming the record, not swallowed")
                      .anyMatch(
                          e ->
                              e.getLevel() == ch.qos.logback.classic.Level.ERROR
                                  && e.getFormattedMessage().contains("jobs-0@0")
                                  && e.getThrowableProxy() != null));
      assertThat(logged(lines))
          .noneMatch(e -> e.getFormattedMessage().contains("alice@example.com"));
      assertThat(logged(lines))
          .as("nor the error logged with it")
          .noneMatch(
              e ->
                  e.getThrowableProxy() != null
                      && ch.qos.logback.classic.spi.ThrowableProxyUtil.asString(
                              e.getThrowableProxy())
                          .contains("alice@example.com"));
      soon()
          .alias("the record is finished: its partition's commit moves past it")
          .until(
              () -> {
                var committed = consumer.committed(Set.of(P0)).get(P0);
                return committed != null && committed.offset() == 1;
              });
    } finally {
      loopLog.detachAppender(lines);
      resend.shutdownNow();
    }
  }

  /**
   * What the appender holds now, copied under its lock: other threads log while a test reads
   * (iterating its list meanwhile threw ConcurrentModificationException).
   */
  private static List<ch.qos.logback.classic.spi.ILoggingEvent> logged(
      ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines) {
    synchronized (lines) {
      return new java.util.ArrayList<>(lines.list);
    }
  }

  /**
   * Skipped records never enter the dispatch queue, but each rewrite holds its record's payload
   * until Kafka has the event: they count in worker.queue-bytes, and fetching pauses while they are
   * over it (a takeover of a partition with thousands of large skipped records, its rewrites
   * blocked on the events topic, would otherwise hold them all in memory).
   */
  @Test
  void rewritesInFlightCountInTheQueuesByteBound() throws Exception {
    java.util.concurrent.CountDownLatch sendReturns = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.ExecutorService ours =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    int n = 20;
    byte[] large = new byte[300 * 1024]; // 20 x 300 KiB: 6 MiB against a bound of 1 MiB
    try {
      startWithLedger(
          (d, entry) -> { // blocked on the events topic's metadata, then acknowledged
            try {
              sendReturns.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            finished.add(d);
          },
          ours,
          n);
      onConsumerThread(
          () -> {
            consumer.rebalance(List.of(P0));
            for (long i = 0; i < n; i++) {
              consumer.addRecord(new ConsumerRecord<>(JOBS, 0, i, null, large));
            }
          });
      soon()
          .alias("fetching paused while the rewrites hold more than worker.queue-bytes")
          .until(() -> consumer.paused().contains(P0));

      sendReturns.countDown();
      soon().alias("resumed once the rewrites are done").until(() -> consumer.paused().isEmpty());
    } finally {
      sendReturns.countDown();
      ours.shutdown();
    }
  }

  @Test
  void anIdleRetryTiersMarkFollowsTheLedgerWhileTheJobsPartitionSharingItIsBusy()
      throws InterruptedException {
    consumer.updatePartitions(JOBS, List.of(new PartitionInfo(JOBS, 0, null, null, null)));
    consumer.updatePartitions(TIER, List.of(new PartitionInfo(TIER, 0, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(P0, 0L, T0, 0L));
    DispatchQueue queue = new DispatchQueue(64, 1 << 20, 20);
    loop =
        new ConsumeLoop(
            consumer,
            List.of(JOBS, TIER),
            Set.of(TIER),
            queue,
            finished,
            () -> false,
            new LoopTimes(Duration.ofMillis(10), Duration.ofSeconds(5), Duration.ofMinutes(5)),
            Clock.systemUTC());
    dev.postbus.worker.ledger.LedgerPositions positions =
        new dev.postbus.worker.ledger.LedgerPositions(1);
    loop.useLedger(
        new dev.postbus.worker.ledger.LedgerIndex(
            new dev.postbus.worker.ledger.LedgerReader(new OneEntryLedger(0), "jobs.ledger", 1),
            Duration.ofDays(1),
            Clock.systemUTC(),
            positions),
        () -> {},
        (d, e) -> {},
        Runnable::run);
    // time stands still: no proof of membership falls due, so only what moved is committed
    loop.watchContact(
        new KafkaContact(Duration.ofSeconds(15), () -> 0L, Clock.systemUTC(), lost -> {}));
    thread = new Thread(loop, "consume-loop-test");
    thread.start();
    soon().until(() -> !consumer.subscription().isEmpty());
    onConsumerThread(() -> consumer.rebalance(List.of(P0, T0)));
    soon().until(() -> markOf(T0) == 0); // the first commits: marked at the ledger's end, 0

    for (long i = 0; i < 3; i++) { // jobs-0 busy: its entries fill ledger partition 0
      long offset = i;
      onConsumerThread(() -> consumer.addRecord(record(P0, offset, new RecordHeaders())));
      Delivery d = queue.take(Duration.ofSeconds(5));
      positions.acked(0, 100_000 * (i + 1));
      finished.add(d);
      soon().until(() -> consumer.committed(Set.of(P0)).get(P0).offset() == offset + 1);
    }

    soon()
        .alias("the idle tier's commit carries a mark that follows the ledger")
        .until(() -> markOf(T0) > 100_000);
  }

  private long markOf(TopicPartition tp) {
    var c = consumer.committed(Set.of(tp)).get(tp);
    return c == null
        ? -1
        : dev.postbus.worker.ledger.LedgerMark.parse(c.metadata())
            .map(dev.postbus.worker.ledger.LedgerMark::offset)
            .orElse(-1L);
  }

  private DispatchQueue startWithLedger(
      java.util.function.BiConsumer<Delivery, dev.postbus.worker.ledger.LedgerEntry> rewrite,
      java.util.concurrent.Executor executor) {
    return startWithLedger(rewrite, executor, 1);
  }

  private DispatchQueue startWithLedger(
      java.util.function.BiConsumer<Delivery, dev.postbus.worker.ledger.LedgerEntry> rewrite,
      java.util.concurrent.Executor executor,
      int ledgerEntries) {
    consumer.updatePartitions(JOBS, List.of(new PartitionInfo(JOBS, 0, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    DispatchQueue queue = new DispatchQueue(64, 1 << 20, 20);
    loop =
        new ConsumeLoop(
            consumer,
            List.of(JOBS),
            Set.of(),
            queue,
            finished,
            () -> false,
            new LoopTimes(Duration.ofMillis(10), Duration.ofSeconds(5), Duration.ofMinutes(5)),
            Clock.systemUTC());
    loop.useLedger(
        new dev.postbus.worker.ledger.LedgerIndex(
            new dev.postbus.worker.ledger.LedgerReader(
                new OneEntryLedger(ledgerEntries), "jobs.ledger", 1),
            Duration.ofDays(1),
            Clock.systemUTC()),
        () -> {},
        rewrite,
        executor);
    thread = new Thread(loop, "consume-loop-test");
    thread.start();
    soon().until(() -> !consumer.subscription().isEmpty());
    return queue;
  }
}
