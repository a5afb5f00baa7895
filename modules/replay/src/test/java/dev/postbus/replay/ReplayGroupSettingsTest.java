package dev.postbus.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

/**
 * The replay group's consumer never has a missing dead-letter topic created (a broker with
 * auto.create.topics.enable would create one asked for: a typo'd topic would read as "0 replayed").
 */
class ReplayGroupSettingsTest {

  @Test
  void theGroupsConsumerNeverCreatesTheTopic() {
    Map<String, Object> kafka =
        Map.of(
            "bootstrap.servers",
            "localhost:9092",
            ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
            "true");
    assertThat(ReplayGroup.settings(kafka, "postbus-replay-1", 500))
        .containsEntry(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false")
        .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "postbus-replay-1");
  }
}
