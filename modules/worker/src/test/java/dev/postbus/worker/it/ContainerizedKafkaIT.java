package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.SmtpCapture;
import dev.postbus.worker.lifecycle.Worker;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The end-to-end test against Kafka in a container (the apache/kafka image). Where there is no
 * Docker engine, as on our CI machines, JUnit skips it with "disabledWithoutDocker is true and
 * Docker is not available".
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerizedKafkaIT {

  @Container static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.1");

  static final int JOBS = 500;

  @Test
  void twoWorkersDeliverEveryJobExactlyOnceAgainstContainerizedKafka() {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(KAFKA.getBootstrapServers())) {
      Worker a = f.start(f.config(relay.port(), 4, "tc-a", Map.of()));
      Worker b = f.start(f.config(relay.port(), 4, "tc-b", Map.of()));
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> a.ownedPartitions() > 0 && b.ownedPartitions() > 0);
      f.publish("tc", JOBS);
      await().atMost(Duration.ofMinutes(2)).until(() -> relay.received() >= JOBS);
      assertThat(relay.countsByMessageId()).hasSize(JOBS);
      assertThat(relay.countsByMessageId().values()).allMatch(n -> n == 1);
    }
  }
}
