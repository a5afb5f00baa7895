package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.testkit.SharedKafka;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker stopped with SIGTERM drains and then exits with status 0: a clean stop must not look like a failure
 * to systemd, Kubernetes or Docker (a JVM that leaves on SIGTERM's default path exits with 143).
 */
@ExtendWith(SharedKafka.class)
class WorkerStopIT {

  @Test
  void sigtermDrainsAndExitsWithStatusZero(EmbeddedKafka kafka) throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        WorkerProcess w = WorkerProcess.start(Map.of(
            "POSTBUS_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
            "POSTBUS_TOPIC", SharedKafka.uniqueName("stop-jobs"),
            "POSTBUS_GROUP", SharedKafka.uniqueName("stop-group"),
            "POSTBUS_EVENTS_TOPIC", SharedKafka.uniqueName("stop-events"),
            "POSTBUS_SMTP_HOST", "127.0.0.1",
            "POSTBUS_SMTP_PORT", Integer.toString(relay.port()),
            "POSTBUS_SMTP_TLS", "none",
            "POSTBUS_HTTP_PORT", "0",
            "POSTBUS_WORKER_ID", "stop-me",
            "POSTBUS_LOG_LEVEL", "INFO"))) {
      w.awaitLog("assigned", Duration.ofSeconds(60));
      int status = w.terminate();
      assertThat(w.log()).contains("worker stop-me stopped:");
      assertThat(status).as("exit status after a clean drain").isZero();
    }
  }
}
