package dev.postbus.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicRulesTest {

  private static WorkerConfig with(Map<String, String> values) {
    return WorkerConfig.from(Settings.of(values));
  }

  @Test
  void theEventsTopicIsNoneOfTheTopicsTheWorkerReadsOrDeadLetters() {
    for (String taken :
        List.of(
            "postbus.jobs",
            "postbus.jobs.bulk",
            "postbus.jobs.dlt",
            "postbus.jobs.retry.30s",
            "postbus.jobs.ledger",
            "postbus.jobs.suppressions",
            "postbus.jobs.feedback")) {
      assertThatThrownBy(() -> with(Map.of("events.topic", taken)))
          .as(taken)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("events.topic (" + taken + ")")
          .hasMessageContaining("its own topic");
    }
    assertThat(
            with(Map.of("events.topic", "postbus.jobs", "events.enabled", "false")).eventsTopic())
        .as("events off: the key is not used")
        .isNull();
  }

  @Test
  void topicNamesFollowKafkasRules() {
    assertThatThrownBy(() -> with(Map.of("topic", "postbus jobs")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("topic (POSTBUS_TOPIC): expected a Kafka topic name");
    assertThatThrownBy(() -> with(Map.of("events.topic", "events/all")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("events.topic (POSTBUS_EVENTS_TOPIC): expected a Kafka topic name");
    assertThat(with(Map.of("topic", "a".repeat(236))).topic()).hasSize(236);
    assertThatThrownBy(() -> with(Map.of("topic", "a".repeat(237))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("topic: ")
        .hasMessageContaining("a".repeat(237) + ".suppressions")
        .hasMessageContaining("249");
    assertThatThrownBy(() -> with(Map.of("topic", "..")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("topic (POSTBUS_TOPIC)");
  }

  @Test
  void anEventsTopicThatCollidesInKafkaWithOneTheWorkerReadsIsRefused() {
    // Kafka refuses a topic whose name differs from another's only in '.' against '_'
    for (String collides : List.of("postbus_jobs", "postbus_jobs.dlt", "postbus.jobs_ledger")) {
      assertThatThrownBy(() -> with(Map.of("events.topic", collides)))
          .as(collides)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("events.topic (" + collides + ")")
          .hasMessageContaining("its own topic");
    }
    assertThat(with(Map.of("events.topic", "postbus_events")).eventsTopic())
        .isEqualTo("postbus_events");
  }
}
