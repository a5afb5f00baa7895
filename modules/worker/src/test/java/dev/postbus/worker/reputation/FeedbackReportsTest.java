package dev.postbus.worker.reputation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.kafka.ReaderPacing;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

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

  private final BounceGuard guard = new BounceGuard(10, 0.08, r -> {});
  private final Refusing consumer = new Refusing();
  private final ReaderPacing pacing =
      new ReaderPacing(
          Duration.ofMillis(1), Duration.ofMillis(4), Duration.ofMinutes(1), System::nanoTime);

  @Test
  void aReaderRefusedOverAndOverBacksOffAndSaysItIsDownThenAnErrorIsCaughtAndSaid() {
    try (FeedbackReports reports = new FeedbackReports(consumer, "t.feedback", guard, pacing)) {
      assertThat(guard.feedbackReaderUp()).isTrue();
      reports.start();

      await().atMost(Duration.ofSeconds(10)).until(() -> consumer.asked.get() > 5);
      assertThat(guard.feedbackReaderUp()).as("the guard sees nothing: said").isFalse();

      consumer.next.set(new StackOverflowError("deep"));
      await().atMost(Duration.ofSeconds(10)).until(reports::died);
      assertThat(guard.feedbackReaderUp()).isFalse();
    }
  }

  @Test
  void partitionsAddedToTheTopicLaterAreReadToo() {
    MockConsumer<byte[], byte[]> grown = new MockConsumer<>(OffsetResetStrategy.EARLIEST);
    TopicPartition p0 = new TopicPartition("t.feedback", 0);
    TopicPartition p1 = new TopicPartition("t.feedback", 1);
    grown.updatePartitions("t.feedback", List.of(info(0)));
    grown.updateEndOffsets(Map.of(p0, 0L, p1, 0L));
    grown.updateBeginningOffsets(Map.of(p0, 0L, p1, 0L));
    try (FeedbackReports reports =
        new FeedbackReports(grown, "t.feedback", guard, pacing, Duration.ofMillis(1))) {
      reports.start();
      assertThat(grown.assignment()).containsExactly(p0);

      grown.updatePartitions("t.feedback", List.of(info(0), info(1)));

      await().atMost(Duration.ofSeconds(10)).until(() -> grown.assignment().contains(p1));
      assertThat(grown.assignment()).containsExactlyInAnyOrder(p0, p1);
    }
  }

  private static PartitionInfo info(int partition) {
    return new PartitionInfo("t.feedback", partition, null, null, null);
  }
}
