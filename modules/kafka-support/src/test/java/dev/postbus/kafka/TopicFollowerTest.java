package dev.postbus.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.postbus.kafka.TopicFollower.State;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The follower's loop and lifecycle against Kafka's MockConsumer. */
class TopicFollowerTest {

  private static final String TOPIC = "t.follow";
  private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
  private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

  /** Counts its closes; asks for partitions fail with {@code refuse} while it is set. */
  private static final class Counting extends MockConsumer<byte[], byte[]> {
    final AtomicInteger closes = new AtomicInteger();
    final AtomicInteger asked = new AtomicInteger();
    final AtomicReference<Throwable> refuse = new AtomicReference<>();
    final AtomicBoolean closeThrows = new AtomicBoolean();

    Counting() {
      super("earliest");
    }

    @Override
    public synchronized List<PartitionInfo> partitionsFor(String topic, Duration timeout) {
      asked.incrementAndGet();
      Throwable t = refuse.get();
      if (t instanceof RuntimeException r) {
        throw r;
      }
      if (t != null) {
        throw (Error) t;
      }
      return super.partitionsFor(topic, timeout);
    }

    @Override
    public synchronized void close(Duration timeout) {
      closes.incrementAndGet();
      super.close(timeout);
      if (closeThrows.get()) {
        throw new IllegalStateException("close failed");
      }
    }
  }

  private final Counting consumer = new Counting();
  private final List<String> taken = new CopyOnWriteArrayList<>();
  private final List<State> states = new CopyOnWriteArrayList<>();
  private final ReaderPacing pacing =
      new ReaderPacing(
          Duration.ofMillis(1), Duration.ofMillis(4), Duration.ofMinutes(1), System::nanoTime);

  private TopicFollower.Builder builder() {
    return TopicFollower.builder(consumer, TOPIC, "test")
        .pacing(pacing)
        .listener(states::add)
        .recheck(Duration.ofMillis(1), System::nanoTime);
  }

  private void take(ConsumerRecord<byte[], byte[]> r) {
    String v = new String(r.value());
    if (v.equals("bad")) {
      throw new IllegalArgumentException("someone@example.net is bad");
    }
    taken.add(r.partition() + ":" + v);
  }

  @Test
  void startsWhereToldAndReadsPartitionsAddedLaterFromTheirBeginning() {
    consumer.updatePartitions(TOPIC, List.of(info(0)));
    consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    consumer.updateEndOffsets(Map.of(P0, 2L, P1, 5L));
    try (TopicFollower f = builder().build(this::take).start("follower-test")) {
      assertThat(f.state()).isEqualTo(State.UP);
      assertThat(consumer.position(P0)).as("the default start: the end").isEqualTo(2L);

      consumer.updatePartitions(TOPIC, List.of(info(0), info(1)));
      await().atMost(Duration.ofSeconds(10)).until(() -> consumer.assignment().contains(P1));
      consumer.schedulePollTask(() -> consumer.addRecord(record(1, 0, "new")));
      consumer.schedulePollTask(() -> consumer.addRecord(record(0, 2, "live")));

      await().atMost(Duration.ofSeconds(10)).until(() -> taken.size() == 2);
      assertThat(taken).containsExactlyInAnyOrder("1:new", "0:live");
    }
  }

  @Test
  void aTopicThatAppearsLaterIsWaitedForThenPositionedAsNotAtStart() {
    List<Boolean> atStart = new CopyOnWriteArrayList<>();
    try (TopicFollower f =
        builder()
            .positions(
                (c, partitions, start) -> {
                  atStart.add(start);
                  c.seekToBeginning(partitions);
                })
            .build(this::take)
            .start("follower-test")) {
      assertThat(f.state()).isEqualTo(State.WAITING);

      consumer.updateBeginningOffsets(Map.of(P0, 0L));
      consumer.updatePartitions(TOPIC, List.of(info(0)));
      consumer.schedulePollTask(() -> consumer.addRecord(record(0, 0, "first")));

      await().atMost(Duration.ofSeconds(20)).until(() -> taken.contains("0:first"));
      assertThat(atStart).containsExactly(false);
      assertThat(f.state()).isEqualTo(State.UP);
    }
  }

  @Test
  void aHandlerThatThrowsIsCountedAndTheNextRecordIsRead() {
    consumer.updatePartitions(TOPIC, List.of(info(0)));
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    consumer.updateEndOffsets(Map.of(P0, 0L));
    try (TopicFollower f = builder().build(this::take).start("follower-test")) {
      consumer.schedulePollTask(
          () -> {
            consumer.addRecord(record(0, 0, "bad"));
            consumer.addRecord(record(0, 1, "good"));
          });

      await().atMost(Duration.ofSeconds(10)).until(() -> taken.contains("0:good"));
      assertThat(f.errors()).isEqualTo(1);
      assertThat(f.state()).isEqualTo(State.UP);
    }
  }

  @Test
  void aRefusedReaderIsDownAndBacksOffThenAnErrorLeavesItDeadVisibly() {
    consumer.refuse.set(new TopicAuthorizationException("not authorized: " + TOPIC));
    try (TopicFollower f = builder().build(this::take).start("follower-test")) {
      await().atMost(Duration.ofSeconds(10)).until(() -> consumer.asked.get() > 5);
      assertThat(f.state()).isEqualTo(State.DOWN);

      consumer.refuse.set(new StackOverflowError("deep"));
      await().atMost(Duration.ofSeconds(10)).until(() -> f.state() == State.DEAD);
      assertThat(f.errors()).isEqualTo(1);
      assertThat(states).endsWith(State.DOWN, State.DEAD);
      await().atMost(Duration.ofSeconds(10)).until(() -> consumer.closes.get() == 1);
    }
  }

  @Test
  void closeEndsTheThreadAndClosesTheConsumerExactlyOnceHoweverOftenCalled()
      throws InterruptedException {
    consumer.updatePartitions(TOPIC, List.of(info(0)));
    consumer.updateEndOffsets(Map.of(P0, 0L));
    TopicFollower f = builder().build(this::take).start("follower-test-close");
    await().atMost(Duration.ofSeconds(10)).until(() -> thread("follower-test-close") != null);
    Thread t = thread("follower-test-close");

    f.close();
    f.close();
    t.join(10_000);

    assertThat(f.state()).isEqualTo(State.CLOSED);
    assertThat(consumer.closes.get()).isEqualTo(1);
    assertThat(t.isAlive()).isFalse();
  }

  @Test
  void closedBeforeStartClosesTheConsumerAndCannotStart() {
    TopicFollower f = builder().build(this::take);
    f.close();
    f.close();
    assertThat(consumer.closes.get()).isEqualTo(1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.start("never"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("test");
  }

  @Test
  void anInterruptedThreadIsDeadNotSilentlyGone() {
    try (TopicFollower f = builder().build(this::take).start("follower-test-interrupt")) {
      assertThat(f.state()).isEqualTo(State.WAITING);
      await().atMost(Duration.ofSeconds(10)).until(() -> thread("follower-test-interrupt") != null);

      thread("follower-test-interrupt").interrupt();

      await().atMost(Duration.ofSeconds(1)).until(() -> f.state() == State.DEAD);
    }
  }

  @Test
  void aConsumerWhoseCloseThrowsStillLetsCloseReturnPromptly() {
    consumer.updatePartitions(TOPIC, List.of(info(0)));
    consumer.updateEndOffsets(Map.of(P0, 5L));
    consumer.closeThrows.set(true);
    TopicFollower f = builder().build(this::take).start("follower-test-close-throws");

    assertTimeoutPreemptively(Duration.ofSeconds(5), f::close);
    assertThat(consumer.closes.get()).isEqualTo(1);
  }

  @Test
  void anErrorOfTheLoopIsLoggedWithItsMessageAndStackOneOfTheHandlerByItsClassOnly() {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    Logger logger = (Logger) LoggerFactory.getLogger(TopicFollower.class);
    logs.start();
    logger.addAppender(logs);
    try {
      consumer.refuse.set(new TopicAuthorizationException("not authorized: " + TOPIC));
      try (TopicFollower f = builder().build(this::take).start("follower-test-log")) {
        consumer.refuse.set(new StackOverflowError("deep in the loop"));
        await().atMost(Duration.ofSeconds(10)).until(() -> f.state() == State.DEAD);
      }
      ILoggingEvent dead = logs.list.get(logs.list.size() - 1);
      assertThat(dead.getFormattedMessage()).contains("deep in the loop");
      assertThat(dead.getThrowableProxy()).as("the stack").isNotNull();

      logs.list.clear();
      Counting other = new Counting();
      other.updatePartitions(TOPIC, List.of(info(0)));
      other.updateEndOffsets(Map.of(P0, 0L));
      try (TopicFollower f =
          TopicFollower.builder(other, TOPIC, "test")
              .pacing(pacing)
              .build(
                  r -> {
                    throw new AssertionError("someone@example.net broke it");
                  })
              .start("follower-test-log-handler")) {
        other.schedulePollTask(() -> other.addRecord(record(0, 0, "x")));
        await().atMost(Duration.ofSeconds(10)).until(() -> f.state() == State.DEAD);
      }
      assertThat(logs.list)
          .isNotEmpty()
          .allSatisfy(
              e -> {
                assertThat(e.getFormattedMessage()).doesNotContain("example.net");
                assertThat(e.getThrowableProxy()).isNull();
              });
    } finally {
      logger.detachAppender(logs);
    }
  }

  /** A broker slow to answer: partitionsFor blocks until woken (as KafkaConsumer's does). */
  private static final class Slow extends MockConsumer<byte[], byte[]> {
    final CountDownLatch asking = new CountDownLatch(1);
    final CountDownLatch woken = new CountDownLatch(1);
    final AtomicInteger closes = new AtomicInteger();

    Slow() {
      super("earliest");
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic, Duration timeout) {
      asking.countDown();
      try {
        if (woken.await(10, TimeUnit.SECONDS)) {
          throw new WakeupException();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new org.apache.kafka.common.errors.TimeoutException("no answer");
    }

    @Override
    public void wakeup() {
      woken.countDown();
      super.wakeup();
    }

    @Override
    public synchronized void close(Duration timeout) {
      closes.incrementAndGet();
      super.close(timeout);
    }
  }

  @Test
  void closeDuringASlowStartWakesItPromptly() throws Exception {
    Slow slow = new Slow();
    TopicFollower f = TopicFollower.builder(slow, TOPIC, "test").pacing(pacing).build(this::take);
    Thread starter = new Thread(() -> f.start("follower-test-slow"), "starter");
    starter.start();
    assertThat(slow.asking.await(10, TimeUnit.SECONDS)).isTrue();

    assertTimeoutPreemptively(Duration.ofSeconds(3), f::close);

    starter.join(10_000);
    assertThat(f.state()).isEqualTo(State.CLOSED);
    assertThat(slow.closes.get()).isEqualTo(1);
    assertThat(thread("follower-test-slow")).as("no thread started after close").isNull();
  }

  private static Thread thread(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(name) && t.isAlive())
        .findFirst()
        .orElse(null);
  }

  private static ConsumerRecord<byte[], byte[]> record(int partition, long offset, String v) {
    return new ConsumerRecord<>(TOPIC, partition, offset, null, v.getBytes());
  }

  private static PartitionInfo info(int partition) {
    return new PartitionInfo(TOPIC, partition, null, null, null);
  }
}
