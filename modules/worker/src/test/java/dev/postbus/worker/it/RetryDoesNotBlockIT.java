package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.testkit.SharedKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jobs waiting in the 30 s tier do not hold their partitions: fresh jobs behind them go out at
 * once.
 */
@ExtendWith(SharedKafka.class)
class RetryDoesNotBlockIT {

  @Test
  void freshJobsAreDeliveredBeforeTheFirstWaitingJobIsDue(EmbeddedKafka kafka) {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.faults(
          new Faults() {
            @Override
            public Reply data(String messageId, List<String> recipients, int offered) {
              return messageId.startsWith("<waiting-") && offered == 1
                  ? new Reply(451, "4.3.0 Try again later")
                  : null;
            }
          });
      f.start(f.config(relay.port(), 4, "noblock", Map.of()));
      f.publish("waiting", 100);
      List<ConsumerRecord<byte[], byte[]>> waiting =
          f.read(f.topic + ".retry.30s", 100, Duration.ofSeconds(60));
      assertThat(waiting).hasSize(100);
      Instant firstDue =
          waiting.stream()
              .map(r -> Instant.parse(Fixtures.header(r, PostbusHeaders.DUE)))
              .min(Comparator.naturalOrder())
              .orElseThrow();

      f.publish("fresh", 100);
      await().atMost(Duration.ofSeconds(20)).until(() -> relay.received() >= 100);
      Instant freshDone = Instant.now();

      assertThat(freshDone)
          .as("all fresh jobs delivered before the first retry was due")
          .isBefore(firstDue);
      assertThat(relay.countsByMessageId().keySet())
          .allMatch(id -> id.startsWith("<fresh-"))
          .hasSize(100);
    }
  }
}
