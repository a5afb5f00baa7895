package dev.postbus.worker.reputation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.kafka.ReaderPacing;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.PartitionInfo;
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
}
