package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.lifecycle.Worker;
import dev.postbus.worker.lifecycle.WorkerState;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Graceful hand-over: a worker stops mid-run, another takes over; nothing lost, nothing doubled.
 */
@ExtendWith(SharedKafka.class)
class RestartIT {

  static final int JOBS = 2000;

  @Test
  void workerStoppedGracefullyMidRunHandsOverWithoutLossOrDuplicates(EmbeddedKafka kafka) {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.faults(
          Faults.delayingReplies(
              Duration.ofMillis(
                  10))); // about 400 messages/s over 4 connections: the run lasts seconds
      f.publish("restart", JOBS);
      Worker first = f.start(f.config(relay.port(), 4, "first", Map.of()));
      await().atMost(Duration.ofMinutes(1)).until(() -> relay.received() >= 300);

      Worker second = f.start(f.config(relay.port(), 4, "second", Map.of()));
      await().atMost(Duration.ofMinutes(1)).until(() -> second.stats().snapshot().delivered() > 0);
      first.close();
      long atStop = relay.received();
      assertThat(first.state()).isEqualTo(WorkerState.STOPPED);
      assertThat(atStop).as("stopped mid-run").isLessThan(JOBS);

      await().atMost(Duration.ofMinutes(2)).until(() -> relay.received() >= JOBS);
      // No late duplicate shows up afterwards.
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(3))
          .until(() -> relay.received() == JOBS);
      Map<String, Integer> counts = relay.countsByMessageId();
      assertThat(counts).hasSize(JOBS);
      assertThat(counts.values()).as("no job delivered twice").allMatch(n -> n == 1);
      assertThat(relay.received()).isEqualTo(JOBS);
      assertThat(first.stats().snapshot().delivered() + second.stats().snapshot().delivered())
          .isEqualTo(JOBS);
    }
  }
}
