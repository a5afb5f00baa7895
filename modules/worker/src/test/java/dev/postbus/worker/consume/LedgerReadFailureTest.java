package dev.postbus.worker.consume;

import static dev.postbus.worker.consume.LoopWaits.soon;
import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.DispatchQueue;
import dev.postbus.worker.ledger.LedgerEntry;
import dev.postbus.worker.ledger.LedgerIndex;
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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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

    Jobs() {
      super("earliest");
    }

    @Override
    public synchronized Map<TopicPartition, OffsetAndMetadata> committed(
        Set<TopicPartition> partitions, Duration timeout) {
      if (committedFails.get()) {
        throw new TimeoutException("Timeout of 10000ms expired before the committed offsets");
      }
      return super.committed(partitions, timeout);
    }
  }

  private final Jobs consumer = new Jobs();
  private final FlakyLedger ledger = new FlakyLedger();
  private final AtomicLong nanos = new AtomicLong();
  private final AtomicInteger skips = new AtomicInteger();
  private final BlockingQueue<Delivery> finished = new LinkedBlockingQueue<>();
  private final List<Long> sent = new ArrayList<>();
  private DispatchQueue queue;
  private ConsumeLoop loop;
  private Thread thread;

  private void start() {
    consumer.updatePartitions(JOBS, List.of(new PartitionInfo(JOBS, 0, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    consumer.commitSync(Map.of(P0, new OffsetAndMetadata(3))); // records 0-2 finished and committed
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
        new LedgerIndex(
            new LedgerReader(ledger, LEDGER.topic(), 1), Duration.ofDays(1), Clock.systemUTC()),
        skips::incrementAndGet,
        (d, entry) -> finished.add(d),
        Runnable::run);
    loop.timeWith(nanos::get);
    thread = new Thread(loop, "ledger-read-failure-test");
    thread.start();
    soon().until(() -> !consumer.subscription().isEmpty());
  }

  @AfterEach
  void stop() throws InterruptedException {
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
}
