package dev.postbus.worker.consume;

import static dev.postbus.worker.consume.LoopWaits.soon;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.DispatchQueue;
import dev.postbus.worker.dispatch.OffsetTracker;
import dev.postbus.worker.dispatch.PartitionOffsets;
import dev.postbus.worker.ledger.LedgerIndex;
import dev.postbus.worker.ledger.LedgerReader;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rebalance callbacks run inside the consumer's poll and share its max.poll.interval.ms: work
 * as long gets the member evicted. The work of one poll is timed whole (the release's drain and
 * commit, the committed offsets, the send ledger's takeover read, the share's partition counts), on
 * the loop's ticker, moved here by hand: each step below takes less than half the limit, only their
 * sum reaches it.
 */
class SlowAssignmentTest {

  private static final String JOBS = "jobs";
  private static final TopicPartition P0 = new TopicPartition(JOBS, 0);
  private static final TopicPartition P1 = new TopicPartition(JOBS, 1);
  private static final TopicPartition LEDGER = new TopicPartition("jobs.ledger", 0);
  private static final Duration POLL_INTERVAL = Duration.ofMinutes(5);

  /** The send ledger and the dedupe index both read at each assignment. */
  private static final RebalanceTime.Reads BOTH_READ =
      new RebalanceTime.Reads() {
        @Override
        public boolean ledger() {
          return true;
        }

        @Override
        public boolean dedupe() {
          return true;
        }
      };

  private final AtomicLong nanos = new AtomicLong();
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final ch.qos.logback.classic.Logger loopLog =
      (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ConsumeLoop.class);

  private final SlowGroup consumer = new SlowGroup();
  private final SlowMailbox finished = new SlowMailbox();
  private final OffsetTracker tracker = new OffsetTracker();
  private ConsumeLoop running; // null: the test drives the callbacks itself
  private Thread loopThread;

  /** How long each step of the rebalance takes, on the ticker. */
  private Duration committedTakes = Duration.ZERO;

  private Duration ledgerTakes = Duration.ZERO;
  private Duration shareTakes = Duration.ZERO;
  private Duration drainTakes = Duration.ZERO;

  /**
   * The lanes' mailbox: waiting on it for the release's in-flight sends takes {@code drainTakes} on
   * the ticker (then hands what is there, if anything). {@link #finishesLate} arrives just after
   * the first wait ended empty.
   */
  private final class SlowMailbox extends LinkedBlockingQueue<Delivery> {
    private Delivery finishesLate;

    @Override
    public Delivery poll(long timeout, java.util.concurrent.TimeUnit unit) {
      advance(drainTakes);
      Delivery d = super.poll();
      if (finishesLate != null) {
        add(finishesLate);
        finishesLate = null;
      }
      return d;
    }
  }

  /** The group's consumer: asking the committed offsets and the partition counts takes time. */
  private final class SlowGroup extends MockConsumer<byte[], byte[]> {
    SlowGroup() {
      super("earliest");
      updatePartitions(
          JOBS,
          List.of(
              new PartitionInfo(JOBS, 0, null, null, null),
              new PartitionInfo(JOBS, 1, null, null, null)));
      updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    }

    @Override
    public synchronized Map<TopicPartition, OffsetAndMetadata> committed(
        Set<TopicPartition> partitions, Duration timeout) {
      advance(committedTakes);
      return super.committed(partitions, timeout);
    }

    @Override
    public synchronized List<PartitionInfo> partitionsFor(String topic) {
      advance(shareTakes);
      return super.partitionsFor(topic);
    }
  }

  /** The ledger reader's consumer: an empty ledger, slow to find where the window starts. */
  private final class SlowLedger extends MockConsumer<byte[], byte[]> {
    SlowLedger() {
      super("earliest");
      updateBeginningOffsets(Map.of(LEDGER, 0L));
      updateEndOffsets(Map.of(LEDGER, 0L));
    }

    /** Asked once per takeover read of a partition without a commit (read by time). */
    @Override
    public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
        Map<TopicPartition, Long> query, Duration timeout) {
      advance(ledgerTakes);
      return Map.of(); // no entry since then: read from the end
    }
  }

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @BeforeEach
  void capture() {
    lines.start();
    loopLog.addAppender(lines);
  }

  @AfterEach
  void release() throws InterruptedException {
    if (running != null) {
      running.requestStop();
      loopThread.join(10_000);
      assertThat(loopThread.isAlive()).as("the consume loop stopped").isFalse();
    }
    loopLog.detachAppender(lines);
  }

  @Test
  void anAssignmentTakingHalfThePollIntervalWarnsNamingTheKeysToChange() {
    committedTakes = Duration.ofSeconds(60);
    ledgerTakes = Duration.ofSeconds(60);
    shareTakes = Duration.ofSeconds(40); // 160 s in all: over half of 5 min, each step under it

    assign();

    assertThat(warnings())
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .contains("160000 ms", "300000 ms")
                    .contains("ledger.window", "dedupe.window", "kafka.client.max.poll.interval.ms")
                    .doesNotContain("likely evicted"));
  }

  @Test
  void anAssignmentOfExactlyHalfThePollIntervalWarns() {
    committedTakes = Duration.ofSeconds(100);
    ledgerTakes = Duration.ofSeconds(50); // 150 s: half of 5 min

    assign();

    assertThat(warnings()).singleElement().asString().contains("150000 ms");
  }

  @Test
  void anAssignmentLongerThanThePollIntervalSaysTheMemberWasLikelyEvicted() {
    committedTakes = Duration.ofSeconds(120);
    ledgerTakes = Duration.ofSeconds(120);
    shareTakes = Duration.ofSeconds(80); // 320 s

    assign();

    assertThat(warnings())
        .singleElement()
        .asString()
        .contains("320000 ms", "300000 ms", "likely evicted", "reassigned")
        .contains("ledger.window", "dedupe.window", "kafka.client.max.poll.interval.ms");
  }

  @Test
  void anAssignmentUnderHalfThePollIntervalDoesNotWarn() {
    committedTakes = Duration.ofSeconds(60);
    ledgerTakes = Duration.ofSeconds(60);
    shareTakes = Duration.ofSeconds(29).plusMillis(999); // just under 150 s

    assign();

    assertThat(warnings()).isEmpty();
  }

  @Test
  void anAssignmentOfExactlyThePollIntervalSaysTheMemberWasLikelyEvicted() {
    committedTakes = Duration.ofSeconds(200);
    ledgerTakes = Duration.ofSeconds(100); // 300 s: Kafka's poll timer expires at the interval

    assign();

    assertThat(warnings()).singleElement().asString().contains("300000 ms", "likely evicted");
  }

  @Test
  void theReleaseBeforeTheAssignmentInTheSamePollCounts() {
    drainTakes = Duration.ofSeconds(180); // the drain of the revoked partition's in-flight send
    committedTakes = Duration.ofSeconds(130); // each part under half of 5 min, together over it
    Rebalance rebalance =
        rebalance(new RebalanceTime(nanos::get, POLL_INTERVAL, BOTH_READ), Duration.ofMinutes(4));
    ownWithOneInFlight(P1);

    rebalance.onPartitionsRevoked(List.of(P1)); // cooperative: both callbacks inside one poll
    rebalance.onPartitionsAssigned(List.of(P0));

    assertThat(warnings())
        .singleElement()
        .asString()
        .contains("310000 ms", "300000 ms", "likely evicted");
  }

  @Test
  void theDrainEndsAtItsTimeoutOnTheLoopsTicker() {
    drainTakes = Duration.ofSeconds(61); // the lanes never answer; the ticker moves
    Rebalance rebalance =
        rebalance(new RebalanceTime(nanos::get, POLL_INTERVAL, BOTH_READ), Duration.ofSeconds(60));
    PartitionOffsets owner = tracker.assign(P1);
    owner.track(0);
    consumer.assign(List.of(P0, P1));

    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
        Duration.ofSeconds(10), () -> rebalance.onPartitionsRevoked(List.of(P1)));

    assertThat(lines())
        .filteredOn(e -> e.getLevel() == Level.WARN)
        .extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(line -> assertThat(line).contains("still in flight after PT1M"));
  }

  @Test
  void twoAssignmentRoundsInOnePollAddUp() {
    committedTakes = Duration.ofSeconds(200);
    RebalanceTime time = new RebalanceTime(nanos::get, POLL_INTERVAL, BOTH_READ);
    Rebalance rebalance = rebalance(time, Duration.ofSeconds(5));
    consumer.assign(List.of(P0));
    rebalance.onPartitionsAssigned(List.of(P0));
    advance(Duration.ofSeconds(50)); // the same poll, waiting on the coordinator

    rebalance.onPartitionsAssigned(List.of()); // a cooperative rebalance's next round

    assertThat(time.lastTook()).as("the gauge's figure").isEqualTo(Duration.ofSeconds(250));
  }

  @Test
  void theDrainWaitsForASendFinishingBeforeItsTimeoutOnTheLoopsTicker() {
    drainTakes = Duration.ofSeconds(15); // each wait on the mailbox: two of them, 30 s
    Rebalance rebalance =
        rebalance(new RebalanceTime(nanos::get, POLL_INTERVAL, BOTH_READ), Duration.ofSeconds(60));
    PartitionOffsets owner = tracker.assign(P1);
    owner.track(0);
    finished.finishesLate = new Delivery(P1, 0, null, new byte[0], null, 0, owner);
    consumer.assign(List.of(P0, P1));

    rebalance.onPartitionsRevoked(List.of(P1));

    assertThat(consumer.committed(Set.of(P1))).as("the hand-over's commit").containsKey(P1);
    assertThat(consumer.committed(Set.of(P1)).get(P1).offset())
        .as("the hand-over's commit, past the finished send")
        .isEqualTo(1);
    assertThat(lines())
        .extracting(ILoggingEvent::getFormattedMessage)
        .noneSatisfy(line -> assertThat(line).contains("still in flight"));
    assertThat(Duration.ofNanos(nanos.get())).as("the ticker").isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aLossBeforeTheAssignmentInTheSamePollCounts() {
    shareTakes = Duration.ofSeconds(50); // as the lost partition is let go, and as P0 comes
    committedTakes = Duration.ofSeconds(60);
    Rebalance rebalance =
        rebalance(new RebalanceTime(nanos::get, POLL_INTERVAL, BOTH_READ), Duration.ofMinutes(4));
    tracker.assign(P1);
    consumer.assign(List.of(P0, P1));

    rebalance.onPartitionsLost(List.of(P1));
    rebalance.onPartitionsAssigned(List.of(P0));

    assertThat(warnings())
        .singleElement()
        .asString()
        .contains("160000 ms", "the longest step was the share report (100000 ms)");
  }

  @Test
  void eachPollOfTheLoopStartsANewBudget() {
    committedTakes = Duration.ofSeconds(100); // each assignment: a third of 5 min
    ConsumeLoop loop = startLoop(POLL_INTERVAL);
    AtomicBoolean done = new AtomicBoolean();

    consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0)));
    consumer.schedulePollTask(() -> advance(Duration.ofMinutes(10))); // a later poll
    consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0, P1)));
    consumer.schedulePollTask(() -> done.set(true)); // the poll after: the assignment has ended

    soon().until(done::get);
    assertThat(warnings()).isEmpty();
    assertThat(loop.lastAssignment()).as("the gauge's figure").isEqualTo(Duration.ofSeconds(100));
  }

  @Test
  void aPollBetweenTheReleaseAndTheAssignmentStartsANewBudget() {
    drainTakes = Duration.ofSeconds(180);
    committedTakes = Duration.ofSeconds(130);
    RebalanceTime time = new RebalanceTime(nanos::get, POLL_INTERVAL, BOTH_READ);
    Rebalance rebalance = rebalance(time, Duration.ofMinutes(4));
    ownWithOneInFlight(P1);

    rebalance.onPartitionsRevoked(List.of(P1));
    time.pollStarted(); // eager: the join did not end within that poll
    rebalance.onPartitionsAssigned(List.of(P0));

    assertThat(warnings()).isEmpty();
    assertThat(time.lastTook()).isEqualTo(Duration.ofSeconds(130));
  }

  @Test
  void theWarningNamesTheLongestStep() {
    drainTakes = Duration.ofSeconds(100);
    committedTakes = Duration.ofSeconds(20);
    ledgerTakes = Duration.ofSeconds(40);
    shareTakes = Duration.ofMillis(2500); // the partition counts, asked twice: 165 s in all
    Rebalance rebalance =
        rebalance(new RebalanceTime(nanos::get, POLL_INTERVAL, BOTH_READ), Duration.ofMinutes(4));
    ownWithOneInFlight(P1);

    rebalance.onPartitionsRevoked(List.of(P1));
    rebalance.onPartitionsAssigned(List.of(P0));

    assertThat(warnings())
        .singleElement()
        .asString()
        .contains("165000 ms", "the longest step was the drain of in-flight sends (100000 ms)")
        .contains("give the ledger topic more partitions")
        .satisfies(line -> assertDrainAdviceFirst(line, true));
  }

  @Test
  void theDrainsAdviceComesAfterTheReadsWhenAReadWasLonger() {
    drainTakes = Duration.ofSeconds(40);
    committedTakes = Duration.ofSeconds(120); // 160 s in all
    Rebalance rebalance =
        rebalance(new RebalanceTime(nanos::get, POLL_INTERVAL, BOTH_READ), Duration.ofMinutes(4));
    ownWithOneInFlight(P1);

    rebalance.onPartitionsRevoked(List.of(P1));
    rebalance.onPartitionsAssigned(List.of(P0));

    assertThat(warnings())
        .singleElement()
        .asString()
        .contains("160000 ms", "the longest step was the committed offsets (120000 ms)")
        .satisfies(line -> assertDrainAdviceFirst(line, false));
  }

  /** The warning advises both remedies, the longest step's first, then raising the limit. */
  private static void assertDrainAdviceFirst(String line, boolean drainFirst) {
    int drain = line.indexOf("lower worker.drain-timeout");
    int reads = line.indexOf("shorten dedupe.window");
    int limit = line.indexOf("raise kafka.client.max.poll.interval.ms");
    assertThat(drain).as("the drain's advice").isPositive();
    assertThat(reads).as("the reads' advice").isPositive();
    assertThat(drain < reads).as("the drain's advice first").isEqualTo(drainFirst);
    assertThat(limit).as("the limit's advice, last").isGreaterThan(Math.max(drain, reads));
  }

  @Test
  void anEmptyRoundAfterAPollKeepsTheSlowRoundsFigure() {
    committedTakes = Duration.ofSeconds(200);
    RebalanceTime time = new RebalanceTime(nanos::get, POLL_INTERVAL, BOTH_READ);
    Rebalance rebalance = rebalance(time, Duration.ofSeconds(5));
    consumer.assign(List.of(P0));
    rebalance.onPartitionsAssigned(List.of(P0));
    time.pollStarted();
    committedTakes = Duration.ZERO;

    rebalance.onPartitionsAssigned(List.of()); // a cooperative rebalance's next round

    assertThat(time.lastTook()).as("the gauge's figure").isEqualTo(Duration.ofSeconds(200));
  }

  @Test
  void theLimitIsTheConsumersPollIntervalAsConfigured() {
    committedTakes = Duration.ofSeconds(200); // under half of 10 min

    assign(new RebalanceTime(nanos::get, Duration.ofMinutes(10), BOTH_READ));

    assertThat(warnings()).isEmpty();
  }

  @Test
  void theConsumeLoopTimesItsAssignmentsOnItsOwnTicker() {
    committedTakes = Duration.ofSeconds(200); // over half of 5 min
    ConsumeLoop loop = startLoop(POLL_INTERVAL);

    consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0)));

    soon().until(() -> !warnings().isEmpty());
    assertThat(warnings()).singleElement().asString().contains("200000 ms");
    assertThat(loop.lastAssignment()).as("the gauge's figure").isEqualTo(Duration.ofSeconds(200));
  }

  @Test
  void theConsumeLoopJudgesByTheLimitItIsBuiltWith() {
    committedTakes = Duration.ofMinutes(8); // past 5 min, under 15 min
    startLoop(Duration.ofMinutes(15));

    consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0)));

    soon().until(() -> !warnings().isEmpty());
    assertThat(warnings())
        .singleElement()
        .asString()
        .contains("480000 ms", "900000 ms")
        .doesNotContain("likely evicted");
  }

  @Test
  void withTheLedgerOffTheWarningNamesNeitherTheLedgersNorTheDedupeSettings() {
    shareTakes = Duration.ofSeconds(200); // the partition counts: all an assignment asks then
    startLoop(POLL_INTERVAL, false);

    consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0)));

    soon().until(() -> !warnings().isEmpty());
    assertThat(warnings())
        .singleElement()
        .asString()
        .contains("200000 ms", "the longest step was the share report (200000 ms)")
        .contains("lower worker.drain-timeout", "raise kafka.client.max.poll.interval.ms")
        .doesNotContain("ledger.window", "dedupe.window", "ledger topic");
  }

  @Test
  void withDedupeOffTheWarningNamesTheLedgersSettingsButNotDedupeWindow() {
    committedTakes = Duration.ofSeconds(100);
    ledgerTakes = Duration.ofSeconds(100); // the ledger read, no dedupe read: 200 s
    startLoop(POLL_INTERVAL); // useLedger, no useDedupe: dedupe.window 0

    consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0)));

    soon().until(() -> !warnings().isEmpty());
    assertThat(warnings())
        .singleElement()
        .asString()
        .contains("200000 ms", "ledger.window", "give the ledger topic more partitions")
        .contains("raise kafka.client.max.poll.interval.ms")
        .doesNotContain("dedupe.window", "dedupe index");
  }

  /** A consume loop over this test's group, on this test's ticker, running until the test ends. */
  private ConsumeLoop startLoop(Duration maxPollInterval) {
    return startLoop(maxPollInterval, true);
  }

  /**
   * As {@link #startLoop(Duration)}; {@code ledger}: whether it reads the send ledger (never the
   * dedupe index).
   */
  private ConsumeLoop startLoop(Duration maxPollInterval, boolean ledger) {
    ConsumeLoop loop =
        new ConsumeLoop(
            consumer,
            List.of(JOBS),
            Set.of(),
            new DispatchQueue(10, 1 << 20, 10),
            new LinkedBlockingQueue<>(),
            () -> false,
            new LoopTimes(Duration.ofMillis(10), Duration.ofSeconds(5), maxPollInterval),
            Clock.systemUTC());
    loop.timeWith(nanos::get);
    if (ledger) {
      loop.useLedger(
          new LedgerIndex(
              new LedgerReader(new SlowLedger(), LEDGER.topic(), 1), ledgerWindow(), clock()),
          () -> {},
          (d, e) -> {},
          Runnable::run);
    }
    running = loop;
    loopThread = new Thread(loop, "slow-assignment-test");
    loopThread.start();
    soon().until(() -> !consumer.subscription().isEmpty());
    return loop;
  }

  /**
   * The lines logged so far. The consumer thread may be appending: the appender appends holding its
   * own lock, so the copy is taken holding it too.
   */
  private List<ILoggingEvent> lines() {
    synchronized (lines) {
      return new ArrayList<>(lines.list);
    }
  }

  /** The rebalance warnings so far. */
  private List<String> warnings() {
    return lines().stream()
        .filter(e -> e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.startsWith("the rebalance work of one poll"))
        .toList();
  }

  private void assign() {
    assign(new RebalanceTime(nanos::get, POLL_INTERVAL, BOTH_READ));
  }

  /** Drives the assignment callback of P0, a partition without a commit, with the ledger on. */
  private void assign(RebalanceTime time) {
    Rebalance rebalance = rebalance(time, Duration.ofSeconds(5));
    consumer.assign(List.of(P0));

    rebalance.onPartitionsAssigned(List.of(P0));

    assertThat(rebalance.ownedJobPartitions()).isEqualTo(1);
  }

  /** Owns {@code tp} with one record a lane is sending; its result is in the mailbox. */
  private void ownWithOneInFlight(TopicPartition tp) {
    PartitionOffsets owner = tracker.assign(tp);
    owner.track(0);
    finished.add(new Delivery(tp, 0, null, new byte[0], null, 0, owner));
    consumer.assign(List.of(P0, P1));
  }

  /** The rebalance listener over this test's group, with the ledger on. */
  private Rebalance rebalance(RebalanceTime time, Duration drainTimeout) {
    DispatchQueue queue = new DispatchQueue(10, 1 << 20, 10);
    ContactWatch watch = new ContactWatch();
    LedgerSkips ledger = new LedgerSkips(finished, queue);
    ledger.use(
        new LedgerIndex(
            new LedgerReader(new SlowLedger(), LEDGER.topic(), 1), ledgerWindow(), clock()),
        () -> {},
        (d, e) -> {},
        Runnable::run);
    TierHolds tiers = new TierHolds(consumer, clock());
    return new Rebalance(
        new Rebalance.Parts(
            consumer,
            Set.of(),
            tracker,
            queue,
            finished,
            tiers,
            new Pauses(consumer, queue, new Backpressure(queue, () -> false), tiers),
            new OffsetCommits(consumer, tracker, watch, ledger),
            ledger,
            new ShareReport(consumer, List.of(JOBS)),
            watch,
            time),
        drainTimeout);
  }

  private static Duration ledgerWindow() {
    return Duration.ofDays(1);
  }

  private static Clock clock() {
    return Clock.systemUTC();
  }
}
