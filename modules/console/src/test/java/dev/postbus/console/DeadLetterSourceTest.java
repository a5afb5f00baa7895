package dev.postbus.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

/** The dead-letter table's reads. */
class DeadLetterSourceTest {

  @Test
  void itsConsumerNeverCreatesTheTopic() {
    Map<String, Object> kafka =
        Map.of(
            "bootstrap.servers",
            "localhost:9092",
            ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
            "true");
    assertThat(DeadLetterSource.settings(kafka))
        .containsEntry(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false")
        .doesNotContainKey(ConsumerConfig.GROUP_ID_CONFIG);
  }
}
