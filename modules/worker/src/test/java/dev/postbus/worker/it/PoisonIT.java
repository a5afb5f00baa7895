package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.testkit.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad records go to the dead-letter topic at once, raw bytes kept, reason naming the field; good
 * ones flow around them.
 */
@ExtendWith(SharedKafka.class)
class PoisonIT {

  private static final Map<String, String> POISON =
      Map.of(
          "not-json", "{\"schema\":1,\"id\":",
          "wrong-type",
              "{\"schema\":1,\"id\":\"p-2\",\"from\":\"a@example.com\",\"to\":\"b@example.com\",\"subject\":\"s\",\"text\":\"t\"}",
          "crlf",
              "{\"schema\":1,\"id\":\"p-3\",\"from\":\"a@example.com\",\"to\":[\"b@example.com\"],\"subject\":\"Hi\\r\\nBcc: x@evil.com\",\"text\":\"t\"}",
          "no-recipient",
              "{\"schema\":1,\"id\":\"p-4\",\"from\":\"a@example.com\",\"subject\":\"s\",\"text\":\"t\"}");

  private static final Map<String, String> EXPECTED_REASON =
      Map.of(
          "not-json", "(payload): not valid JSON",
          "wrong-type", "to: expected an array of addresses, got a string",
          "crlf", "subject: contains CR, LF or NUL (header injection)",
          "no-recipient", "to: at least one recipient is required in to, cc or bcc");

  @Test
  void poisonRecordsAreDeadLetteredWithTheirBytesAndGoodJobsAroundThemAreDelivered(
      EmbeddedKafka kafka) {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      f.publish("before", 10);
      try (var producer =
          new KafkaProducer<byte[], byte[]>(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  f.bootstrap,
                  ProducerConfig.ACKS_CONFIG,
                  "all"),
              new ByteArraySerializer(),
              new ByteArraySerializer())) {
        POISON.forEach(
            (key, value) ->
                producer.send(
                    new ProducerRecord<>(
                        f.topic,
                        key.getBytes(StandardCharsets.UTF_8),
                        value.getBytes(StandardCharsets.UTF_8))));
        producer.flush();
      }
      f.publish("after", 10);
      f.start(f.config(relay.port(), 2, "w", Map.of()));

      await().atMost(Duration.ofMinutes(1)).until(() -> relay.received() >= 20);
      List<ConsumerRecord<byte[], byte[]>> dead =
          f.read(f.topic + ".dlt", POISON.size(), Duration.ofSeconds(30));

      Map<String, ConsumerRecord<byte[], byte[]>> byKey = new HashMap<>();
      dead.forEach(r -> byKey.put(new String(r.key(), StandardCharsets.UTF_8), r));
      assertThat(byKey).containsOnlyKeys(POISON.keySet());
      POISON.forEach(
          (key, payload) -> {
            ConsumerRecord<byte[], byte[]> r = byKey.get(key);
            assertThat(new String(r.value(), StandardCharsets.UTF_8))
                .as("raw bytes unchanged")
                .isEqualTo(payload);
            assertThat(header(r, PostbusHeaders.CLASS)).isEqualTo("poison");
            assertThat(header(r, PostbusHeaders.REASON)).startsWith(EXPECTED_REASON.get(key));
            assertThat(header(r, PostbusHeaders.ORIGINAL_TOPIC)).isEqualTo(f.topic);
            assertThat(header(r, PostbusHeaders.ORIGINAL_OFFSET)).isNotBlank();
            assertThat(header(r, PostbusHeaders.WORKER)).isEqualTo("w");
          });
      assertThat(relay.received()).isEqualTo(20);
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
