package dev.postbus.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a topic from the beginning with a group of its own, for assertions. */
public final class TopicReader {

  private TopicReader() {}

  /**
   * Records of {@code topic}, read until at least {@code atLeast} arrived or {@code timeout}
   * passed.
   */
  public static List<ConsumerRecord<byte[], byte[]>> read(
      String bootstrap, String topic, int atLeast, Duration timeout) {
    try (var consumer =
        new KafkaConsumer<byte[], byte[]>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                SharedKafka.uniqueName("reader"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (out.size() < atLeast && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      return out;
    }
  }

  /** The keys of those records, as UTF-8 text. */
  public static List<String> keys(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream()
        .map(
            r ->
                r.key() == null
                    ? null
                    : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8))
        .toList();
  }
}
