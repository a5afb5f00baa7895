package dev.postbus.worker.reputation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.suppression.SuppressionSet;
import dev.postbus.suppression.SuppressionWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bounce-rate guard's trip and resume on the suppressions topic: a stale resume does not lift
 * our newer trip, a trip Kafka did not take is written again, a resume Kafka did not take says so.
 * Kafka's MockProducer answers when the test says so.
 */
class SuppressionsGuardTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC);

  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final SuppressionWriter writer = new SuppressionWriter(producer, "jobs.suppressions");
  private final Suppressions suppressions =
      new Suppressions(new SuppressionSet(), Set.of(), writer, executor, CLOCK);
  private final List<String> heard = new CopyOnWriteArrayList<>();

  SuppressionsGuardTest() {
    suppressions.onGroupGuard(trip -> heard.add(String.valueOf(trip)));
  }

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  /** Waits until the executor has run what Kafka's answers handed it. */
  private void settle() throws Exception {
    executor.submit(() -> {}).get();
  }

  @Test
  void aResumeWrittenBeforeOurOwnNewerTripDoesNotResumeUs() throws Exception {
    writer.guardResumed(); // an operator's resume of an earlier trip: offset 0
    producer.completeNext();
    suppressions.guardTripped("w1#a", "bounce rate 40%");
    suppressions.guard(null, 0); // our follower reads the old resume while our trip is written
    producer.completeNext(); // our trip: offset 1
    settle();
    suppressions.guard(null, 0); // or after
    assertThat(heard).as("a resume older than our own trip does not resume us").isEmpty();
    suppressions.guard(null, 2);
    assertThat(heard).as("a resume after our trip does").containsExactly("null");
  }

  @Test
  void aResumeNewerThanOurTripReadWhileTheTripWasWrittenAppliesOnceItsOffsetIsKnown()
      throws Exception {
    suppressions.guardTripped("w1#a", "bounce rate 40%"); // offset 0
    suppressions.guard(null, 5);
    assertThat(heard).isEmpty();
    producer.completeNext();
    settle();
    assertThat(heard).containsExactly("null");
  }

  @Test
  void aTripKafkaDidNotTakeIsWrittenAgainUntilItIsAcknowledged() {
    suppressions.guardTripped("w1#a", "bounce rate 40%");
    producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("no broker"));
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 2);
    assertThat(producer.history().get(1).value())
        .as("the same trip, written again")
        .isEqualTo(producer.history().get(0).value());
    producer.completeNext();
  }

  @Test
  void aResumeKafkaDidNotTakeSaysWhy() {
    String problem = suppressions.guardResumed(Duration.ofMillis(50));
    assertThat(problem).contains("did not acknowledge the resume on jobs.suppressions");
    producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("no broker"));
  }
}
