package dev.postbus.worker.consume;

import static dev.postbus.worker.consume.LoopWaits.soon;
import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.DispatchQueue;
import dev.postbus.worker.ledger.LedgerIndex;
import dev.postbus.worker.ledger.LedgerReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the consume loop takes for contact with Kafka: during a broker outage the consumer still
 * <em>sends</em> heartbeats (its "last-heartbeat-seconds-ago" stays small) but none is answered
 * ("heartbeat-total", the answers, stands still). Only an answer is contact.
 */
class KafkaContactWatchTest {

  private static final String JOBS = "jobs";
  private final AtomicLong nanos = new AtomicLong();
  private final List<Instant> changes = new CopyOnWriteArrayList<>();
  private volatile double answered = 7;
  private volatile boolean fenced;
  private volatile double joins = 1;
  private volatile double syncs = 1;
  private ConsumeLoop loop;
  private Heartbeating running;
  private Thread thread;

  /** A consumer whose coordinator metrics the test sets. */
  private final class Heartbeating extends MockConsumer<byte[], byte[]> {
    Heartbeating() {
      super("earliest");
    }

    @Override
    public synchronized Map<MetricName, ? extends Metric> metrics() {
      return Map.of(
          name("last-heartbeat-seconds-ago"), metric("last-heartbeat-seconds-ago", () -> 0.0),
          name("heartbeat-total"), metric("heartbeat-total", () -> answered),
          name("join-total"), metric("join-total", () -> joins),
          name("sync-total"), metric("sync-total", () -> syncs));
    }

    /** The ticker's reading and the offsets of each asynchronous commit. */
    final List<Map.Entry<Long, Map<TopicPartition, Long>>> commits = new CopyOnWriteArrayList<>();

    /** A fenced member's commit fails (ILLEGAL_GENERATION); a member's is acknowledged. */
    @Override
    public synchronized void commitAsync(
        Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
      Map<TopicPartition, Long> plain = new java.util.HashMap<>();
      offsets.forEach((tp, o) -> plain.put(tp, o.offset()));
      commits.add(Map.entry(nanos.get(), plain));
      if (fenced) {
        callback.onComplete(
            offsets, new CommitFailedException("fenced: the group has a newer generation"));
      } else {
        super.commitAsync(offsets, callback);
      }
    }
  }

  private static MetricName name(String name) {
    return new MetricName(name, "consumer-coordinator-metrics", "", Map.of());
  }

  private static Metric metric(String name, java.util.function.Supplier<Double> value) {
    return new Metric() {
      @Override
      public MetricName metricName() {
        return name(name);
      }

      @Override
      public Object metricValue() {
        return value.get();
      }
    };
  }

  @AfterEach
  void stop() throws InterruptedException {
    loop.requestStop();
    thread.join(10_000);
    assertThat(thread.isAlive()).as("the consume loop stopped").isFalse();
  }

  private DispatchQueue queue;
  private final LinkedBlockingQueue<Delivery> finished = new LinkedBlockingQueue<>();

  private Heartbeating start() {
    return start(Duration.ZERO);
  }

  /** Starts the loop {@code beforeRun} after its contact judge was built (start-up work). */
  private Heartbeating start(Duration beforeRun) {
    return start(beforeRun, built -> {});
  }

  /** As {@link #start(Duration)}, with {@code setUp} done to the loop before it runs. */
  private Heartbeating start(Duration beforeRun, java.util.function.Consumer<ConsumeLoop> setUp) {
    Heartbeating consumer = new Heartbeating();
    consumer.updatePartitions(JOBS, List.of(new PartitionInfo(JOBS, 0, null, null, null)));
    loop =
        new ConsumeLoop(
            consumer,
            List.of(JOBS),
            java.util.Set.of(),
            queue = new DispatchQueue(10, 1 << 20, 10),
            finished,
            () -> false,
            new LoopTimes(Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofMinutes(5)),
            Clock.systemUTC());
    loop.timeWith(nanos::get);
    loop.watchContact(
        new KafkaContact(Duration.ofSeconds(15), nanos::get, Clock.systemUTC(), changes::add));
    setUp.accept(loop);
    running = consumer;
    nanos.addAndGet(beforeRun.toNanos());
    thread = new Thread(loop, "contact-watch-test");
    thread.start();
    return consumer;
  }

  /**
   * Moves the ticker a second at a time, waiting each time until the loop has judged and finished
   * that look (its commit is made after the judgement, before the loop's next poll).
   */
  private void seconds(int n) {
    for (int second = 0; second < n; second++) {
      nanos.addAndGet(Duration.ofSeconds(1).toNanos());
      long seen = nanos.get();
      soon().until(() -> loop.watchedAt() >= seen);
      AtomicBoolean polledAgain = new AtomicBoolean();
      running.schedulePollTask(() -> polledAgain.set(true));
      soon().untilTrue(polledAgain);
    }
  }

  /**
   * The worker is built, then reads a large suppression list (up to minutes) before the consumer
   * thread starts: no answer can come meanwhile, and a fresh consumer's counters all read 0. That
   * silence is not Kafka lost: the clock starts when the loop does.
   */
  @Test
  void startUpWorkBeforeTheLoopRunsIsNoSilence() {
    answered = 0;
    joins = 0;
    syncs = 0;
    start(Duration.ofSeconds(20));
    long first = nanos.get();
    soon().until(() -> loop.watchedAt() >= first);
    assertThat(changes).as("no Kafka lost at the first look after a slow start-up").isEmpty();
  }

  @Test
  void heartbeatsSentButNotAnsweredAreNoContactAndAnAnswerIs() {
    start();
    seconds(30);
    assertThat(changes).as("lost once, and not back on unanswered heartbeats").hasSize(1);

    answered = 8; // the coordinator answered a heartbeat
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    soon().until(() -> changes.size() == 2);
    assertThat(changes.get(1)).as("back").isNull();
  }

  /**
   * Kafka answers a heartbeat with UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION: the answer raises
   * heartbeat-total, but this member no longer owns its partitions, and its records in the queue
   * may be the next owner's to send. Kafka is back only once membership is proven (here: a commit
   * acknowledged), not on the answer alone.
   */
  @Test
  void aFencingAnswerToAHeartbeatIsNotKafkaBackUntilMembershipIsProven() {
    Heartbeating consumer = start();
    TopicPartition p0 = new TopicPartition(JOBS, 0);
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(p0));
          consumer.updateBeginningOffsets(Map.of(p0, 0L));
          consumer.addRecord(
              new ConsumerRecord<>(JOBS, 0, 0L, null, "job".getBytes(StandardCharsets.UTF_8)));
        });
    soon().until(() -> queue.size() == 1); // queued, unsent
    fenced = true; // the broker gone: no commit acknowledged
    seconds(16);
    assertThat(changes).as("lost").hasSize(1);

    answered = 8; // the coordinator answered: "unknown member"
    seconds(5);
    assertThat(changes).as("not back on a fencing answer").hasSize(1);

    fenced = false; // rejoined (or never fenced after all): a commit is acknowledged
    answered = 9;
    seconds(2);
    assertThat(changes).as("back once membership is proven").hasSize(2);
    assertThat(changes.get(1)).isNull();
  }

  /**
   * A cooperative rebalance of several rounds that lasts longer than kafka-lost-after: the idle
   * member's heartbeats stop while it waits in JoinGroup, but the coordinator answers each
   * JoinGroup and SyncGroup. That is contact: no false "Kafka lost".
   */
  @Test
  void aLongRebalanceIsContact() {
    start();
    seconds(1);
    for (int round = 0; round < 4; round++) { // 4 rounds of 10 s, heartbeats standing still
      seconds(9);
      joins++;
      seconds(1);
      syncs++;
    }
    assertThat(changes).as("Kafka answered every step of the rebalance").isEmpty();
  }

  /**
   * The coordinator's broker is unreachable while the partition's leader answers: records are
   * fetched (and heartbeats may be answered with errors), no commit is acknowledged. After the
   * session timeout the group gives the partition to another member, which sends what this one
   * queued: this member holds delivery first. A commit acknowledged brings it back.
   */
  @Test
  void recordsAndAnswersWithoutACommitAcknowledgedAreKafkaLost() {
    Heartbeating consumer = start();
    TopicPartition p0 = new TopicPartition(JOBS, 0);
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(p0));
          consumer.updateBeginningOffsets(Map.of(p0, 0L));
        });
    soon().until(() -> loop.ownedPartitions() == 1);
    fenced = true; // commits never acknowledged
    for (int second = 0; second < 16; second++) {
      long offset = second;
      consumer.schedulePollTask( // a record fetched: the leader answers
          () ->
              consumer.addRecord(
                  new ConsumerRecord<>(
                      JOBS, 0, offset, null, "job".getBytes(StandardCharsets.UTF_8))));
      answered++; // a heartbeat answered (with an error)
      seconds(1);
    }
    assertThat(changes).as("lost: membership unproven while owning a partition").hasSize(1);

    fenced = false; // the coordinator is back: the next commit is acknowledged
    seconds(2);
    assertThat(changes).as("back once a commit is acknowledged").hasSize(2);
    assertThat(changes.get(1)).isNull();
  }

  /**
   * An idle member owning a partition, with nothing new to commit, proves its membership all the
   * same (it commits its offsets again): it is never declared lost.
   */
  @Test
  void anIdleHealthyMemberOwningPartitionsIsNotLost() {
    Heartbeating consumer = start();
    TopicPartition p0 = new TopicPartition(JOBS, 0);
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(p0));
          consumer.updateBeginningOffsets(Map.of(p0, 0L));
        });
    soon().until(() -> loop.ownedPartitions() == 1);
    seconds(40); // no record, no heartbeat answered either: only the commits speak
    assertThat(changes).isEmpty();
  }

  private static final TopicPartition LEDGER = new TopicPartition("jobs.ledger", 0);

  /** A send ledger, empty, whose read takes 20 s of the test's ticker: more than lost-after. */
  private final class SlowLedger extends MockConsumer<byte[], byte[]> {
    volatile boolean read;

    SlowLedger() {
      super("earliest");
      updateBeginningOffsets(Map.of(LEDGER, 0L));
      updateEndOffsets(Map.of(LEDGER, 0L));
    }

    @Override
    public synchronized void assign(java.util.Collection<TopicPartition> partitions) {
      super.assign(partitions);
      if (partitions.contains(LEDGER)) {
        nanos.addAndGet(Duration.ofSeconds(20).toNanos());
        read = true;
      }
    }

    @Override
    public synchronized Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndTimestamp>
        offsetsForTimes(Map<TopicPartition, Long> query, Duration timeout) {
      return Map.of(); // nothing since then: read from the end
    }
  }

  /**
   * The assignment proves membership, then its callback reads the send ledger for longer than
   * kafka-lost-after (20 s of 15). The SyncGroup answer was counted at an earlier look (here: the
   * coordinator's counters do not grow), so the next look has only the callback's word that this
   * member is in the group: it must be as of the end of the callback, not of its start. No "Kafka
   * lost" (and "back" at the next commit) then.
   */
  @Test
  void aLedgerReadLongerThanLostAfterInTheAssignmentIsNoLoss() {
    SlowLedger ledger = new SlowLedger();
    Heartbeating consumer =
        start(
            Duration.ZERO,
            built ->
                built.useLedger(
                    new LedgerIndex(
                        new LedgerReader(ledger, LEDGER.topic(), 1),
                        Duration.ofDays(1),
                        Clock.systemUTC()),
                    () -> {},
                    (d, entry) -> {},
                    Runnable::run));
    soon() // the first look, which counts the coordinator's answers so far, is done
        .until(() -> loop.watchedAt() != Long.MIN_VALUE);
    TopicPartition p0 = new TopicPartition(JOBS, 0);
    consumer.schedulePollTask(
        () -> {
          consumer.updateBeginningOffsets(Map.of(p0, 0L));
          consumer.rebalance(List.of(p0));
        });
    soon().until(() -> ledger.read);
    seconds(1);
    assertThat(loop.ownedPartitions()).isEqualTo(1);
    assertThat(changes).as("no Kafka lost after the slow assignment callback").isEmpty();
  }

  /**
   * Idle, owning a partition: the offsets are committed again only when the last proof of
   * membership is a third of kafka-lost-after old (5 s of 15), not every commit interval (100 ms
   * here, one look per second of the ticker), and the member is never lost. A record finished is
   * committed at the next look all the same.
   */
  @Test
  void anIdleMemberCommitsAgainOnlyOncePerAThirdOfLostAfter() throws InterruptedException {
    Heartbeating consumer = start();
    TopicPartition p0 = new TopicPartition(JOBS, 0);
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(p0));
          consumer.updateBeginningOffsets(Map.of(p0, 0L));
        });
    soon().until(() -> loop.ownedPartitions() == 1);
    seconds(40);

    List<Long> times = consumer.commits.stream().map(Map.Entry::getKey).toList();
    assertThat(times).as("about one per 5 s of 40").hasSizeBetween(7, 9);
    for (int i = 1; i < times.size(); i++) {
      assertThat(times.get(i) - times.get(i - 1))
          .as("commits %s apart at least a third of lost-after", times)
          .isGreaterThanOrEqualTo(Duration.ofSeconds(5).toNanos());
    }
    assertThat(changes).as("never lost").isEmpty();

    int before = consumer.commits.size();
    consumer.schedulePollTask(
        () ->
            consumer.addRecord(
                new ConsumerRecord<>(JOBS, 0, 0L, null, "job".getBytes(StandardCharsets.UTF_8))));
    soon().until(() -> queue.size() == 1);
    finished.add(queue.take(Duration.ZERO));
    soon().until(finished::isEmpty); // the loop has it
    seconds(1);
    List<Map<TopicPartition, Long>> after =
        consumer.commits.subList(before, consumer.commits.size()).stream()
            .map(Map.Entry::getValue)
            .toList();
    assertThat(after)
        .as("progress is committed at the next look, however fresh the proof")
        .contains(Map.of(p0, 1L));
  }

  /** A send ledger whose every read fails (its leader gone). */
  private static final class UnreadableLedger extends MockConsumer<byte[], byte[]> {
    UnreadableLedger() {
      super("earliest");
    }

    @Override
    public synchronized Map<TopicPartition, Long> endOffsets(
        java.util.Collection<TopicPartition> partitions, Duration timeout) {
      throw new org.apache.kafka.common.errors.TimeoutException(
          "Timeout of 60000ms expired before the end offsets were read");
    }
  }

  /**
   * Every partition owned is held, its send ledger unreadable: nothing is committed (a held
   * partition's commit stays as it was), but the coordinator answers the heartbeats. Only the
   * ledger topic is out of reach, not Kafka: no "Kafka lost" (held partitions send nothing, so
   * nothing can be sent for a partition this member was fenced from).
   */
  @Test
  void aMemberWhosePartitionsAreAllHeldForTheirLedgerIsNotLost() {
    Heartbeating consumer =
        start(
            Duration.ZERO,
            built -> {
              built.useLedger(
                  new LedgerIndex(
                      new LedgerReader(new UnreadableLedger(), LEDGER.topic(), 1),
                      Duration.ofDays(1),
                      Clock.systemUTC()),
                  () -> {},
                  (d, entry) -> {},
                  Runnable::run);
              built.readHeldWith(() -> new LedgerReader(new UnreadableLedger(), LEDGER.topic(), 1));
            });
    TopicPartition p0 = new TopicPartition(JOBS, 0);
    consumer.schedulePollTask(
        () -> {
          consumer.updateBeginningOffsets(Map.of(p0, 0L));
          consumer.rebalance(List.of(p0));
        });
    soon().until(() -> loop.ledgerUnreadPartitions() == 1);
    for (int second = 0; second < 20; second++) {
      answered++; // the coordinator answers a heartbeat
      seconds(1);
    }
    assertThat(loop.ledgerUnreadPartitions()).as("still held").isEqualTo(1);
    assertThat(consumer.commits).as("nothing committed").isEmpty();
    assertThat(changes).as("not lost: only the ledger is out of reach").isEmpty();
  }
}
