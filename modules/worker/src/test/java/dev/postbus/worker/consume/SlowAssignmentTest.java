package dev.postbus.worker.consume;

import static dev.postbus.worker.consume.LoopWaits.soon;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.DispatchQueue;
import dev.postbus.worker.dispatch.OffsetTracker;
import dev.postbus.worker.ledger.LedgerIndex;
import dev.postbus.worker.ledger.LedgerReader;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
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
 * An assignment callback runs inside the consumer's poll: one as long as max.poll.interval.ms gets
 * the member evicted. The whole callback is timed (the committed offsets, the send ledger's
 * takeover read, the share's partition counts), on the loop's ticker, moved here by hand: each step
 * below takes less than half the limit, only their sum reaches it.
 */
class SlowAssignmentTest {

  private static final String JOBS = "jobs";
  private static final TopicPartition P0 = new TopicPartition(JOBS, 0);
  private static final TopicPartition LEDGER = new TopicPartition("jobs.ledger", 0);
  private static final Duration POLL_INTERVAL = Duration.ofMinutes(5);

  private final AtomicLong nanos = new AtomicLong();
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final ch.qos.logback.classic.Logger loopLog =
      (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ConsumeLoop.class);

  /** How long each step of the callback takes, on the ticker. */
  private Duration committedTakes = Duration.ZERO;

  private Duration ledgerTakes = Duration.ZERO;
  private Duration shareTakes = Duration.ZERO;

  /** The group's consumer: asking the committed offsets and the partition counts takes time. */
  private final class SlowGroup extends MockConsumer<byte[], byte[]> {
    SlowGroup() {
      super("earliest");
      updatePartitions(JOBS, List.of(new PartitionInfo(JOBS, 0, null, null, null)));
      updateBeginningOffsets(Map.of(P0, 0L));
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
  void release() {
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
  void theLimitIsTheConsumersPollIntervalAsConfigured() {
    committedTakes = Duration.ofSeconds(200); // under half of 10 min
    AssignmentTime time = new AssignmentTime(nanos::get);
    time.evictedAfter(Duration.ofMinutes(10));

    assign(time);

    assertThat(warnings()).isEmpty();
  }

  @Test
  void theConsumeLoopTimesItsAssignmentsOnItsOwnTicker() throws InterruptedException {
    SlowGroup consumer = new SlowGroup();
    committedTakes = Duration.ofSeconds(200); // over half of the default 5 min
    ConsumeLoop loop =
        new ConsumeLoop(
            consumer,
            List.of(JOBS),
            Set.of(),
            new DispatchQueue(10, 1 << 20, 10),
            new LinkedBlockingQueue<>(),
            () -> false,
            Duration.ofMillis(10),
            Duration.ofSeconds(5),
            Clock.systemUTC());
    loop.timeWith(nanos::get);
    loop.useLedger(
        new LedgerIndex(
            new LedgerReader(new SlowLedger(), LEDGER.topic(), 1), ledgerWindow(), clock()),
        () -> {},
        (d, e) -> {},
        Runnable::run);
    Thread thread = new Thread(loop, "slow-assignment-test");
    thread.start();
    try {
      soon().until(() -> !consumer.subscription().isEmpty());
      consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0)));
      soon().until(() -> !warnings().isEmpty());
      assertThat(warnings()).singleElement().asString().contains("200000 ms");
      assertThat(loop.lastAssignment()).as("the gauge's figure").isEqualTo(Duration.ofSeconds(200));
    } finally {
      loop.requestStop();
      thread.join(10_000);
    }
  }

  private List<String> warnings() {
    return lines.list.stream()
        .filter(e -> e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private void assign() {
    assign(new AssignmentTime(nanos::get)); // the limit not told: Kafka's default, 5 min
  }

  /** Drives the assignment callback of P0, a partition without a commit, with the ledger on. */
  private void assign(AssignmentTime time) {
    SlowGroup consumer = new SlowGroup();
    DispatchQueue queue = new DispatchQueue(10, 1 << 20, 10);
    BlockingQueue<Delivery> finished = new LinkedBlockingQueue<>();
    OffsetTracker tracker = new OffsetTracker();
    ContactWatch watch = new ContactWatch();
    LedgerSkips ledger = new LedgerSkips(finished, queue);
    ledger.use(
        new LedgerIndex(
            new LedgerReader(new SlowLedger(), LEDGER.topic(), 1), ledgerWindow(), clock()),
        () -> {},
        (d, e) -> {},
        Runnable::run);
    TierHolds tiers = new TierHolds(consumer, clock());
    Rebalance rebalance =
        new Rebalance(
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
            Duration.ofSeconds(5));
    consumer.assign(List.of(P0));

    rebalance.onPartitionsAssigned(List.of(P0));

    assertThat(rebalance.ownedJobPartitions()).isEqualTo(1);
  }

  private static Duration ledgerWindow() {
    return Duration.ofDays(1);
  }

  private static Clock clock() {
    return Clock.systemUTC();
  }
}
