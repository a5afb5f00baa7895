package dev.postbus.client;

import dev.postbus.job.JobLimits;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how to publish.
 *
 * @param kafka extra Kafka producer properties (SASL, SSL, client.id ...); the durability settings
 *     (acks=all, idempotence) cannot be weakened through them
 */
public record PublisherConfig(
    String bootstrapServers, String topic, JobLimits limits, Map<String, String> kafka) {

  public static final String DEFAULT_TOPIC = "postbus.jobs";

  public PublisherConfig {
    Objects.requireNonNull(bootstrapServers, "kafka.bootstrap-servers");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(limits, "limits");
    if (bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("kafka.bootstrap-servers must not be empty");
    }
    if (topic.isBlank()) {
      throw new IllegalArgumentException("topic must not be empty");
    }
    kafka = Map.copyOf(kafka == null ? Map.of() : kafka);
  }

  public static PublisherConfig of(String bootstrapServers, String topic) {
    return new PublisherConfig(bootstrapServers, topic, JobLimits.DEFAULTS, Map.of());
  }
}
