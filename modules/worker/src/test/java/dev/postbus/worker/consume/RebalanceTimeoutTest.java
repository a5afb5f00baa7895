package dev.postbus.worker.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.worker.dispatch.DispatchQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A timeout while the consumer asks Kafka something inside a rebalance callback (the jobs topic's
 * partition count) is not fatal: the loop goes on, and asks again.
 */
class RebalanceTimeoutTest {

  private static final String JOBS = "jobs";
  private static final TopicPartition P0 = new TopicPartition(JOBS, 0);
  private final AtomicInteger timeouts = new AtomicInteger(2);
  private final List<int[]> shares = new CopyOnWriteArrayList<>();
  private ConsumeLoop loop;
  private Thread thread;

  /** Times out on the first asks for the topic's partitions, as a busy broker might. */
  private final class Slow extends MockConsumer<byte[], byte[]> {
    Slow() {
      super("earliest");
    }

    @Override
    public synchronized List<PartitionInfo> partitionsFor(String topic) {
      if (timeouts.getAndDecrement() > 0) {
        throw new TimeoutException("Timeout expired while fetching topic metadata");
      }
      return super.partitionsFor(topic);
    }
  }

  @AfterEach
  void stop() throws InterruptedException {
    loop.requestStop();
    thread.join(10_000);
    assertThat(thread.isAlive()).as("the consume loop stopped").isFalse();
  }

  @Test
  void aTimeoutInAnAssignmentCallbackIsRetriedNotFatal() {
    Slow consumer = new Slow();
    consumer.updatePartitions(JOBS, List.of(new PartitionInfo(JOBS, 0, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    loop =
        new ConsumeLoop(
            consumer,
            List.of(JOBS),
            java.util.Set.of(),
            new DispatchQueue(10, 1 << 20, 10),
            new LinkedBlockingQueue<>(),
            () -> false,
            new LoopTimes(Duration.ofMillis(10), Duration.ofSeconds(5), Duration.ofMinutes(5)),
            Clock.systemUTC());
    loop.onShare((owned, total) -> shares.add(new int[] {owned, total}));
    thread = new Thread(loop, "rebalance-timeout-test");
    thread.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> !consumer.subscription().isEmpty());
    consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0)));

    await().atMost(Duration.ofSeconds(10)).until(() -> !shares.isEmpty() || !thread.isAlive());
    assertThat(thread.isAlive()).as("the consumer thread survived the timeout").isTrue();
    assertThat(shares.get(shares.size() - 1)).containsExactly(1, 1);
  }

  @Test
  void theShareCountsEveryConsumedPartitionTierPartitionsToo() {
    timeouts.set(0);
    Slow consumer = new Slow();
    String tier = JOBS + ".retry.30s";
    TopicPartition t0 = new TopicPartition(tier, 0);
    consumer.updatePartitions(JOBS, List.of(new PartitionInfo(JOBS, 0, null, null, null)));
    consumer.updatePartitions(tier, List.of(new PartitionInfo(tier, 0, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(P0, 0L, t0, 0L));
    loop =
        new ConsumeLoop(
            consumer,
            List.of(JOBS, tier),
            java.util.Set.of(tier),
            new DispatchQueue(10, 1 << 20, 10),
            new LinkedBlockingQueue<>(),
            () -> false,
            new LoopTimes(Duration.ofMillis(10), Duration.ofSeconds(5), Duration.ofMinutes(5)),
            Clock.systemUTC());
    loop.onShare((owned, total) -> shares.add(new int[] {owned, total}));
    thread = new Thread(loop, "share-test");
    thread.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> !consumer.subscription().isEmpty());
    consumer.schedulePollTask(() -> consumer.rebalance(List.of(t0)));

    await().atMost(Duration.ofSeconds(10)).until(() -> !shares.isEmpty());
    assertThat(shares.get(shares.size() - 1))
        .as(
            "a worker owning only a tier partition gets that partition's part of every consumed"
                + " partition, so the group's shares add up to the group limit")
        .containsExactly(1, 2);
  }
}
