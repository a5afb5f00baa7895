package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.kafka.DurableProducer;
import dev.postbus.testkit.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code postbus dlt show} on dead letters as the worker can write them. */
@ExtendWith(SharedKafka.class)
class DltShowIT {

  @Test
  void aDeadLetterWithoutPayloadOrWithAHeaderWithoutValueIsShown(EmbeddedKafka kafka)
      throws Exception {
    String topic = ReplayOnceIT.topics(kafka, "show");
    // as RecordFactory.withoutPayload writes one: no value, the size it had in a header
    ProducerRecord<byte[], byte[]> r =
        new ProducerRecord<>(topic + ".dlt", 0, bytes("order-7"), null);
    r.headers().add(PostbusHeaders.CLASS, bytes("permanent"));
    r.headers().add(PostbusHeaders.PAYLOAD_OMITTED, bytes("2000000"));
    r.headers().add(PostbusHeaders.ORIGINAL_TOPIC, bytes(topic));
    r.headers().add(PostbusHeaders.ORIGINAL_PARTITION, bytes("1"));
    r.headers().add(PostbusHeaders.ORIGINAL_OFFSET, bytes("42"));
    r.headers().add("x-empty", null);
    write(kafka, r);

    CliIT.Result shown =
        PostbusInProcess.postbus(
            "dlt", "show", "-b", kafka.bootstrapServers(), "-t", topic, "order-7");

    assertThat(shown.exit()).as(shown.err()).isZero();
    assertThat(shown.out())
        .contains("dead letter 0@0 of job order-7")
        .contains("  x-empty: ")
        .contains("payload omitted")
        .contains(topic + "-1@42");
  }

  static void write(EmbeddedKafka kafka, ProducerRecord<byte[], byte[]> r) throws Exception {
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(
            DurableProducer.settings(Map.of("bootstrap.servers", kafka.bootstrapServers())),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      p.send(r).get();
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
