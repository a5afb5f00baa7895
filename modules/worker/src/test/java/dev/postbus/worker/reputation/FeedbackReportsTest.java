package dev.postbus.worker.reputation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.kafka.ReaderPacing;
import dev.postbus.kafka.TopicFollower;
import dev.postbus.worker.ops.WorkerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

/** The worker's use of the follower (its loop and lifecycle: TopicFollowerTest). */
class FeedbackReportsTest {

  /** A consumer without READ on the topic: every ask fails, until told to fail otherwise. */
  private static final class Refusing extends MockConsumer<byte[], byte[]> {
    final AtomicInteger asked = new AtomicInteger();
    final AtomicReference<Throwable> next =
        new AtomicReference<>(new TopicAuthorizationException("not authorized: feedback"));

    Refusing() {
      super(OffsetResetStrategy.EARLIEST);
    }

    @Override
    public synchronized List<PartitionInfo> partitionsFor(String topic, Duration timeout) {
      asked.incrementAndGet();
      Throwable t = next.get();
      if (t instanceof RuntimeException r) {
        throw r;
      }
      throw (Error) t;
    }
  }

  /** A broker gone: asking for partitions times out while {@code gone} is set. */
  private static final class Gone extends MockConsumer<byte[], byte[]> {
    final AtomicBoolean gone = new AtomicBoolean();

    Gone() {
      super(OffsetResetStrategy.EARLIEST);
    }

    @Override
    public synchronized List<PartitionInfo> partitionsFor(String topic, Duration timeout) {
      if (gone.get()) {
        throw new TimeoutException("Timeout expired while fetching topic metadata");
      }
      return super.partitionsFor(topic, timeout);
    }
  }

  private final BounceGuard guard = new BounceGuard(10, 0.08, r -> {});
  private final ReaderPacing pacing =
      new ReaderPacing(
          Duration.ofMillis(1), Duration.ofMillis(4), Duration.ofMinutes(1), System::nanoTime);

  private FeedbackReports reports(MockConsumer<byte[], byte[]> consumer) {
    return reports(consumer, Duration.ofMillis(1));
  }

  private FeedbackReports reports(MockConsumer<byte[], byte[]> consumer, Duration recheck) {
    return new FeedbackReports(consumer, "t.feedback", guard, pacing, recheck, System::nanoTime);
  }

  @Test
  void aReaderRefusedOverAndOverSaysItIsDownThenAnErrorLeavesItDead() {
    Refusing consumer = new Refusing();
    try (FeedbackReports reports = reports(consumer)) {
      assertThat(reports.up()).isTrue();
      assertThat(reports.health()).isEqualTo("starting");
      reports.start();

      await().atMost(Duration.ofSeconds(10)).until(() -> consumer.asked.get() > 5);
      assertThat(reports.state()).isEqualTo(TopicFollower.State.DOWN);
      assertThat(reports.up()).as("the guard sees nothing: said").isFalse();
      assertThat(reports.health()).isEqualTo("down");

      consumer.next.set(new StackOverflowError("deep"));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> reports.state() == TopicFollower.State.DEAD);
      assertThat(reports.up()).isFalse();
      assertThat(reports.health()).isEqualTo("dead");
    }
  }

  @Test
  void startsAtTheEndThenReadsPartitionsAddedLaterFromTheirBeginning() {
    MockConsumer<byte[], byte[]> grown = new MockConsumer<>(OffsetResetStrategy.EARLIEST);
    TopicPartition p0 = new TopicPartition("t.feedback", 0);
    TopicPartition p1 = new TopicPartition("t.feedback", 1);
    grown.updatePartitions("t.feedback", List.of(info(0)));
    grown.updateEndOffsets(Map.of(p0, 3L, p1, 5L));
    grown.updateBeginningOffsets(Map.of(p0, 0L, p1, 0L));
    try (FeedbackReports reports = reports(grown)) {
      reports.start();
      assertThat(grown.assignment()).containsExactly(p0);
      assertThat(grown.position(p0)).isEqualTo(3L);

      grown.updatePartitions("t.feedback", List.of(info(0), info(1)));

      await().atMost(Duration.ofSeconds(10)).until(() -> grown.assignment().contains(p1));
      assertThat(grown.assignment()).containsExactlyInAnyOrder(p0, p1);
      grown.schedulePollTask(
          () ->
              grown.addRecord(
                  new ConsumerRecord<>(
                      "t.feedback",
                      1,
                      0,
                      null,
                      ("{\"type\":\"complaint\",\"jobId\":\"j1\",\"recipient\":\"a@example.net\"}")
                          .getBytes())));
      await().atMost(Duration.ofSeconds(10)).until(() -> grown.position(p1) == 1L);
      assertThat(reports.state()).isEqualTo(TopicFollower.State.UP);
    }
  }

  @Test
  void aBrokerGoneFromTheStartIsDownNotStarting() {
    Gone consumer = new Gone();
    consumer.gone.set(true);
    try (FeedbackReports reports = reports(consumer)) {
      reports.start();
      await().atMost(Duration.ofSeconds(2)).until(() -> reports.health().equals("down"));
      assertThat(reports.up()).isFalse();
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(2))
          .until(() -> reports.health().equals("down") && !reports.up());
    }
  }

  @Test
  void aBrokerGoneAfterTheStartStaysDownWhilePollsComeBackEmpty() {
    Gone consumer = new Gone();
    TopicPartition p0 = new TopicPartition("t.feedback", 0);
    consumer.updatePartitions("t.feedback", List.of(info(0)));
    consumer.updateEndOffsets(Map.of(p0, 0L));
    try (FeedbackReports reports = reports(consumer, Duration.ofMillis(300))) {
      reports.start();
      assertThat(reports.health()).isEqualTo("up");

      consumer.gone.set(true);
      await().atMost(Duration.ofSeconds(2)).until(() -> reports.health().equals("down"));
      await()
          .during(Duration.ofMillis(1000))
          .atMost(Duration.ofSeconds(3))
          .until(() -> reports.health().equals("down") && !reports.up());

      consumer.gone.set(false);
      await().atMost(Duration.ofSeconds(5)).until(() -> reports.health().equals("up"));
    }
  }

  @Test
  void aRecordTheReaderFailsOnIsCountedInTheMetricsBesideItsUpGauge() {
    MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST);
    TopicPartition p0 = new TopicPartition("t.feedback", 0);
    consumer.updatePartitions("t.feedback", List.of(info(0)));
    consumer.updateEndOffsets(Map.of(p0, 0L));
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (FeedbackReports reports = reports(consumer)) {
      WorkerMetrics.feedbackReader(registry, reports);
      reports.start();
      ConsumerRecord<byte[], byte[]> poisoned =
          new ConsumerRecord<>("t.feedback", 0, 0, null, new byte[0]) {
            @Override
            public byte[] value() {
              throw new IllegalStateException("cannot be read");
            }
          };
      consumer.schedulePollTask(() -> consumer.addRecord(poisoned));

      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> registry.scrape().contains("postbus_guard_feedback_reader_errors_total 1.0"));
      assertThat(registry.scrape()).contains("postbus_guard_feedback_reader_up 1.0");
    }
  }

  @Test
  void aFirstAskThatFailedIsNotATopicThatAppearedLater() {
    AtomicInteger refusals = new AtomicInteger(1);
    MockConsumer<byte[], byte[]> consumer =
        new MockConsumer<>(OffsetResetStrategy.EARLIEST) {
          @Override
          public synchronized List<PartitionInfo> partitionsFor(String topic, Duration timeout) {
            if (refusals.getAndDecrement() > 0) {
              throw new TopicAuthorizationException("not authorized: " + topic);
            }
            return super.partitionsFor(topic, timeout);
          }
        };
    TopicPartition p0 = new TopicPartition("t.feedback", 0);
    consumer.updatePartitions("t.feedback", List.of(info(0)));
    consumer.updateBeginningOffsets(Map.of(p0, 0L));
    consumer.updateEndOffsets(Map.of(p0, 3L));
    try (FeedbackReports reports = reports(consumer)) {
      reports.start();

      await().atMost(Duration.ofSeconds(10)).until(() -> reports.health().equals("up"));
      assertThat(consumer.position(p0))
          .as("the topic existed all along: its end, not its beginning")
          .isEqualTo(3L);
    }
  }

  private static PartitionInfo info(int partition) {
    return new PartitionInfo("t.feedback", partition, null, null, null);
  }
}
