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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Lanes that hold a job they have not started (every relay out) hand it back at once when its
 * partition is let go: a shutdown does not wait out the drain timeout, and nothing is lost.
 */
@ExtendWith(SharedKafka.class)
class HeldLanesLetGoIT {

  @Test
  void aShutdownWhileEveryRelayIsOutDoesNotWaitTheDrainTimeout(EmbeddedKafka kafka)
      throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.goDown();
      f.publish("held", 40);
      Map<String, String> settings = Map.of("worker.drain-timeout", "2m");
      Worker a = f.start(f.config(relay.port(), 3, "held-a", settings));
      await().atMost(Duration.ofSeconds(30)).until(() -> a.state() == WorkerState.PAUSED);

      long closing = System.nanoTime();
      a.close();
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - closing);
      assertThat(seconds).as("seconds to stop with every lane holding a job").isLessThan(20);

      relay.resume();
      Worker b = f.start(f.config(relay.port(), 3, "held-b", settings));
      await().atMost(Duration.ofSeconds(60)).until(() -> relay.received() >= 40);
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(10))
          .until(() -> relay.received() == 40);
      assertThat(relay.countsByMessageId().values()).allMatch(n -> n == 1);
      assertThat(b.state()).isEqualTo(WorkerState.RUNNING);
    }
  }
}
