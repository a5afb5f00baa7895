package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.lifecycle.Worker;
import dev.postbus.worker.lifecycle.WorkerState;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A drain step that throws does not leave the worker draining for good: the steps after it run, the
 * worker is STOPPED and whoever waits for the stop returns. Here the thread that closes the worker
 * is interrupted, so the producers' close throws Kafka's InterruptException.
 */
@ExtendWith(SharedKafka.class)
class DrainStepFailureIT {

  @Test
  void aDrainStepThatThrowsStillStopsTheWorker(EmbeddedKafka kafka) throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0)) {
      Fixtures f = new Fixtures(kafka.bootstrapServers()); // not closed: it would close again
      Worker w = Worker.start(f.config(relay.port(), 1, "drain-throws", Map.of()));
      await().atMost(Duration.ofSeconds(60)).until(() -> w.ownedPartitions() > 0);

      Thread closing = new Thread(w::close, "test-close");
      closing.start();
      closing.interrupt();

      await()
          .alias("close() returns")
          .atMost(Duration.ofSeconds(60))
          .until(() -> !closing.isAlive());
      assertThat(w.state())
          .as("the drain ended though a step threw")
          .isEqualTo(WorkerState.STOPPED);
      assertThat(w.awaitStopped(Duration.ZERO)).as("whoever waits for the stop returns").isTrue();
    }
  }
}
