package dev.postbus.worker.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.testkit.LogLines;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The consumer thread failing: the worker stops, and says why without the error's message. */
class ConsumerFailureTest {

  @Test
  void aFailedConsumerThreadStopsTheWorkerAndIsLoggedWithoutItsMessage() {
    AtomicReference<String> stopped = new AtomicReference<>();
    List<String> logged;
    try (LogLines logs = LogLines.capture("dev.postbus.worker")) {
      Worker.runConsumer(
          () -> {
            throw new SerializationException( // a Kafka error quoting a record's payload
                "cannot read {\"to\":[\"someone@example.org\"]}");
          },
          stopped::set);
      logged = logs.lines();
    }
    assertThat(stopped.get())
        .as("the worker is stopped as failed, and told what failed without its message")
        .isEqualTo(
            "the consumer thread failed (org.apache.kafka.common.errors.SerializationException)");
    assertThat(logged).noneSatisfy(l -> assertThat(l).contains("someone@example.org"));
    assertThat(logged)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("consumer thread failed; stopping the worker")
                    .contains("SerializationException"));
  }

  /**
   * An Error from poll or a rebalance callback (an OutOfMemoryError on a fetch, one thrown by a
   * configured interceptor) ends the consumer thread as surely as an exception: it stops the worker
   * too, instead of leaving it RUNNING, ready and live without a consumer.
   */
  @Test
  void anErrorEndingTheConsumerThreadStopsTheWorkerAndIsLoggedWithoutItsMessage() {
    AtomicReference<String> stopped = new AtomicReference<>();
    List<String> logged;
    try (LogLines logs = LogLines.capture("dev.postbus.worker")) {
      Worker.runConsumer(
          () -> {
            throw new AssertionError("an interceptor's bug, quoting someone@example.org");
          },
          stopped::set);
      logged = logs.lines();
    }
    assertThat(stopped.get())
        .as("the worker is stopped as failed")
        .isEqualTo("the consumer thread failed (java.lang.AssertionError)");
    assertThat(logged).noneSatisfy(l -> assertThat(l).contains("someone@example.org"));
    assertThat(logged)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("consumer thread failed; stopping the worker")
                    .contains("AssertionError"));
  }

  /** No thread of the worker dies with its trace on stderr only, nor with its message. */
  @Test
  void aWorkerThreadEndedByAnUncaughtErrorIsLoggedWithoutItsMessage() throws Exception {
    List<String> logged;
    try (LogLines logs = LogLines.capture("dev.postbus.worker")) {
      Thread t =
          WorkerThreads.daemon(
              () -> {
                throw new StackOverflowError("deep in someone@example.org");
              },
              "postbus-test");
      t.start();
      t.join(10_000);
      logged = logs.lines();
    }
    assertThat(logged).noneSatisfy(l -> assertThat(l).contains("someone@example.org"));
    assertThat(logged)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("postbus-test ended by an uncaught error")
                    .contains("StackOverflowError"));
  }
}
