package dev.postbus.cli;

import dev.postbus.worker.config.KafkaKeys;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Where Kafka is and which jobs topic to use, for commands that are not the worker. */
final class KafkaOptions {

  @Option(
      names = {"-b", "--bootstrap-servers"},
      paramLabel = "HOST:PORT",
      description = "Kafka brokers (default: $POSTBUS_KAFKA_BOOTSTRAP_SERVERS or localhost:9092).")
  String bootstrapServers;

  @Option(
      names = {"-t", "--topic"},
      paramLabel = "TOPIC",
      description = "Jobs topic (default: $POSTBUS_TOPIC or postbus.jobs).")
  String topic;

  @Option(
      names = "--kafka-timeout",
      paramLabel = "TIME",
      defaultValue = "10s",
      description =
          "How long to wait for Kafka before giving up with exit code 3 (default ${DEFAULT-VALUE}).")
  String kafkaTimeout;

  /**
   * Fails within {@code --kafka-timeout} with one line (exit code 3) when Kafka cannot be reached:
   * call first in a command that talks to Kafka.
   */
  void requireKafka() {
    Duration timeout =
        dev.postbus.worker.config.ValueType.duration(Duration.ofMillis(100), Duration.ofHours(1))
            .parse()
            .apply(kafkaTimeout);
    KafkaReachability.require(clientProperties(), timeout);
  }

  String bootstrapServers() {
    return firstNonNull(
        bootstrapServers,
        System.getenv(KafkaKeys.BOOTSTRAP_SERVERS.env()),
        KafkaKeys.BOOTSTRAP_SERVERS.defaultValue());
  }

  String topic() {
    return firstNonNull(
        topic, System.getenv(KafkaKeys.TOPIC.env()), KafkaKeys.TOPIC.defaultValue());
  }

  /**
   * The Kafka client settings given as POSTBUS_KAFKA_CLIENT_* (SASL, TLS): the same the worker
   * uses.
   */
  java.util.Map<String, String> clientSettings() {
    return dev.postbus.worker.config.Settings.load(null, System.getenv()).kafkaClient();
  }

  /** Bootstrap servers plus {@link #clientSettings()}, for a Kafka client of a command. */
  java.util.Map<String, Object> clientProperties() {
    java.util.Map<String, Object> p = new java.util.HashMap<>(clientSettings());
    p.put("bootstrap.servers", bootstrapServers());
    return p;
  }

  private static String firstNonNull(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    throw new IllegalStateException("no value");
  }
}
