package dev.postbus.worker.consume;

import static dev.postbus.worker.consume.LoopWaits.soon;
import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.job.PostbusHeaders;
import dev.postbus.worker.dispatch.ClassPick;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.DispatchQueue;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The consumer thread with the two classes on, against Kafka's MockConsumer: bulk partitions paused
 * while transactional jobs wait, with the backpressure and a tier's hold composed, and paused again
 * after a rebalance. (The same on a real broker: ClassesIT.)
 */
class ConsumeLoopClassesTest {

  private static final String JOBS = "jobs";
  private static final String BULK = "jobs.bulk";
  private static final String TIER = "jobs.retry.30s";
  private static final TopicPartition P0 = new TopicPartition(JOBS, 0);
  private static final TopicPartition B0 = new TopicPartition(BULK, 0);
  private static final TopicPartition B1 = new TopicPartition(BULK, 1);
  private static final TopicPartition T0 = new TopicPartition(TIER, 0);

  /** Partitions whose lag the consumer does not know (a real one's before their first fetch). */
  private final Set<TopicPartition> lagUnknown = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final MockConsumer<byte[], byte[]> consumer =
      new MockConsumer<>("earliest") {
        @Override
        public synchronized java.util.OptionalLong currentLag(TopicPartition tp) {
          return lagUnknown.contains(tp) ? java.util.OptionalLong.empty() : super.currentLag(tp);
        }
      };
  private final BlockingQueue<Delivery> finished = new LinkedBlockingQueue<>();
  private final AtomicBoolean held = new AtomicBoolean();
  private ConsumeLoop loop;
  private Thread thread;

  private DispatchQueue start(int capacity) {
    return start(capacity, 1 << 20);
  }

  private DispatchQueue start(int capacity, long bytes) {
    for (TopicPartition tp : List.of(P0, B0, B1, T0)) {
      consumer.updatePartitions(
          tp.topic(), List.of(new PartitionInfo(tp.topic(), tp.partition(), null, null, null)));
    }
    consumer.updateBeginningOffsets(Map.of(P0, 0L, B0, 0L, B1, 0L, T0, 0L));
    DispatchQueue queue = new DispatchQueue(capacity, bytes, 20, new ClassPick(4, 1, 0));
    loop =
        new ConsumeLoop(
            consumer,
            List.of(JOBS, BULK, TIER),
            Set.of(TIER),
            queue,
            finished,
            held::get,
            new LoopTimes(Duration.ofMillis(10), Duration.ofSeconds(5), Duration.ofMinutes(5)),
            Clock.systemUTC());
    loop.useClasses(JOBS, 0);
    thread = new Thread(loop, "consume-loop-classes-test");
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

  private void take(DispatchQueue queue, int n) throws InterruptedException {
    for (int i = 0; i < n; i++) {
      Delivery d = queue.take(Duration.ofSeconds(5));
      assertThat(d).isNotNull();
      finished.add(d);
      queue.done(d);
    }
  }

  @Test
  void bulkRecordsAreBulkAndBulkPartitionsWaitWhileATransactionalJobIsQueued() throws Exception {
    DispatchQueue queue = start(64);
    RecordHeaders bulkRetry = new RecordHeaders();
    bulkRetry.add(PostbusHeaders.JOB_CLASS, "bulk".getBytes(StandardCharsets.UTF_8));
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(P0, B0, T0));
          consumer.addRecord(record(B0, 0, new RecordHeaders()));
          consumer.addRecord(record(T0, 0, bulkRetry));
          consumer.addRecord(record(P0, 0, new RecordHeaders()));
        });
    soon().until(() -> queue.size() == 3);
    soon().until(() -> consumer.paused().equals(Set.of(B0)));
    Delivery first = queue.take(Duration.ZERO);
    assertThat(first.partition()).isEqualTo(P0);
    assertThat(first.bulk()).isFalse();
    finished.add(first);
    soon()
        .alias("no transactional job waits: bulk fetched again")
        .until(() -> consumer.paused().isEmpty());
    Delivery second = queue.take(Duration.ZERO);
    Delivery third = queue.take(Duration.ZERO);
    assertThat(List.of(second, third)).allMatch(Delivery::bulk);
    finished.addAll(List.of(second, third));
  }

  @Test
  void theClassPauseNeitherUndoesATiersHoldNorTheBackpressureNorIsUndoneByThem() throws Exception {
    DispatchQueue queue = start(64);
    RecordHeaders later = new RecordHeaders();
    later.add(
        PostbusHeaders.DUE,
        Instant.now().plusSeconds(3600).toString().getBytes(StandardCharsets.UTF_8));
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(P0, B0, T0));
          consumer.addRecord(record(T0, 0, later));
          consumer.addRecord(record(P0, 0, new RecordHeaders()));
        });
    soon().until(() -> consumer.paused().equals(Set.of(B0, T0)));

    held.set(true); // delivery held: every partition
    soon().until(() -> consumer.paused().equals(Set.of(P0, B0, T0)));
    held.set(false);
    soon()
        .alias("the hold lifted; the tier's hold and the class pause stay")
        .until(() -> consumer.paused().equals(Set.of(B0, T0)));

    take(queue, 1); // no transactional job waits any more
    soon()
        .alias("bulk resumed, the tier still held")
        .until(() -> consumer.paused().equals(Set.of(T0)));
  }

  @Test
  void bulkPartitionsAssignedWhileATransactionalJobWaitsStartPaused() throws Exception {
    DispatchQueue queue = start(64);
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(P0, B0));
          consumer.addRecord(record(P0, 0, new RecordHeaders()));
        });
    soon().until(() -> consumer.paused().equals(Set.of(B0)));
    AtomicBoolean pausedAtOnce = new AtomicBoolean();
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(P0, B0, B1)); // a second worker left: B1 comes over
          consumer.addRecord(record(B1, 0, new RecordHeaders()));
        });
    soon().until(() -> consumer.assignment().contains(B1));
    consumer.schedulePollTask(() -> pausedAtOnce.set(consumer.paused().contains(B1)));
    soon().until(pausedAtOnce::get);
    assertThat(queue.size()).as("the new bulk partition's record not fetched").isEqualTo(1);
    take(queue, 1);
  }

  @Test
  void bulkRetriesDueFromATierNeverOverflowTheBulkSide() throws Exception {
    DispatchQueue queue = start(4);
    RecordHeaders bulkRetry = new RecordHeaders();
    bulkRetry.add(PostbusHeaders.JOB_CLASS, "bulk".getBytes(StandardCharsets.UTF_8));
    consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0, B0, T0)));
    java.util.concurrent.atomic.AtomicInteger polls =
        new java.util.concurrent.atomic.AtomicInteger();
    for (int p = 0; p < 5; p++) {
      int base = p * 20;
      consumer.schedulePollTask(
          () -> {
            for (int i = 0; i < 20; i++) {
              consumer.addRecord(record(T0, base + i, bulkRetry));
            }
            polls.incrementAndGet();
          });
    }
    soon().until(() -> polls.get() == 5 && consumer.paused().contains(T0));
    consumer.schedulePollTask(() -> polls.incrementAndGet());
    soon().until(() -> polls.get() == 6 || !thread.isAlive());
    assertThat(thread.isAlive()).as("the consumer thread").isTrue();
    assertThat(queue.size(dev.postbus.job.JobClass.BULK)).isLessThanOrEqualTo(4 + 20);
    assertThat(consumer.paused()).as("the tier waits for the bulk side").contains(T0);
  }

  @Test
  void queuedBulkBytesNeverPauseTheTransactionalPartitions() throws Exception {
    DispatchQueue queue = start(64, 1 << 20);
    byte[] big = new byte[20 * 1024];
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(P0, B0));
          for (int i = 0; i < 60; i++) {
            consumer.addRecord(
                new ConsumerRecord<>(
                    BULK,
                    0,
                    i,
                    0L,
                    TimestampType.CREATE_TIME,
                    0,
                    big.length,
                    null,
                    big,
                    new RecordHeaders(),
                    java.util.Optional.empty()));
          }
        });
    soon().until(() -> queue.size(dev.postbus.job.JobClass.BULK) == 60);
    soon().until(() -> consumer.paused().contains(B0));
    consumer.schedulePollTask(() -> consumer.addRecord(record(P0, 0, new RecordHeaders())));
    soon()
        .alias("the transactional record fetched past 1.2 MB of queued bulk")
        .until(() -> queue.size(dev.postbus.job.JobClass.TRANSACTIONAL) == 1);
    assertThat(consumer.paused()).doesNotContain(P0);
  }

  @Test
  void bulkPartitionsAssignedWithAJobsPartitionOfUnknownLagStartPaused() throws Exception {
    lagUnknown.add(P0); // not fetched yet: it may have a backlog
    DispatchQueue queue = start(64);
    AtomicBoolean pausedAtOnce = new AtomicBoolean();
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(P0, B0));
          pausedAtOnce.set(consumer.paused().contains(B0));
          consumer.addRecord(record(B0, 0, new RecordHeaders()));
        });
    AtomicBoolean polledAgain = new AtomicBoolean();
    consumer.schedulePollTask(() -> polledAgain.set(true));
    soon().until(polledAgain::get);
    assertThat(pausedAtOnce).as("B0 paused as it was assigned").isTrue();
    assertThat(queue.size()).as("B0's record not fetched").isZero();
  }
}
