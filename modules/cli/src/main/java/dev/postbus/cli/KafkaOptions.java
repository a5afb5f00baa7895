package dev.postbus.cli;

import dev.postbus.worker.config.Keys;
import picocli.CommandLine.Option;

/** Where Kafka is and which jobs topic to use, for commands that are not the worker. */
final class KafkaOptions {

  @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT",
      description = "Kafka brokers (default: $POSTBUS_KAFKA_BOOTSTRAP_SERVERS or localhost:9092).")
  String bootstrapServers;

  @Option(names = {"-t", "--topic"}, paramLabel = "TOPIC",
      description = "Jobs topic (default: $POSTBUS_TOPIC or postbus.jobs).")
  String topic;

  String bootstrapServers() {
    return firstNonNull(bootstrapServers, System.getenv(Keys.BOOTSTRAP_SERVERS.env()), Keys.BOOTSTRAP_SERVERS.defaultValue());
  }

  String topic() {
    return firstNonNull(topic, System.getenv(Keys.TOPIC.env()), Keys.TOPIC.defaultValue());
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
