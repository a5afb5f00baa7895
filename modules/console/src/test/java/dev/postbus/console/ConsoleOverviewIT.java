package dev.postbus.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.testkit.SharedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The overview shows both job classes: each one's topic, the workers' lag on it (read from Kafka:
 * the group's committed offsets against the topic's end) and its dead letters of the last day.
 */
@ExtendWith(SharedKafka.class)
class ConsoleOverviewIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void theOverviewShowsEachClassLagAndDeadLetters(EmbeddedKafka kafka) throws Exception {
    String topic = SharedKafka.uniqueName("overview");
    String group = SharedKafka.uniqueName("workers");
    try (var admin = kafka.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 1, (short) 1),
                  new NewTopic(topic + ".bulk", 2, (short) 1),
                  new NewTopic(topic + ".dlt", 1, (short) 1)))
          .all()
          .get();
      try (KafkaProducer<byte[], byte[]> p =
          new KafkaProducer<>(
              Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
              new ByteArraySerializer(),
              new ByteArraySerializer())) {
        for (int i = 0; i < 3; i++) {
          p.send(new ProducerRecord<>(topic, 0, null, bytes("t" + i))).get();
        }
        for (int i = 0; i < 7; i++) {
          p.send(new ProducerRecord<>(topic + ".bulk", i % 2, null, bytes("b" + i))).get();
        }
        for (String c : List.of("bulk", "bulk", "transactional")) {
          ProducerRecord<byte[], byte[]> r =
              new ProducerRecord<>(topic + ".dlt", 0, null, bytes("{}"));
          r.headers()
              .add(PostbusHeaders.CLASS, bytes("permanent"))
              .add(PostbusHeaders.JOB_CLASS, bytes(c));
          p.send(r).get();
        }
      }
      // the workers consumed 1 of the 3 transactional jobs and 3 of bulk's partition 0 (4 records);
      // bulk's partition 1 (3 records) has no committed offset yet: all of it is lag
      admin
          .alterConsumerGroupOffsets(
              group,
              Map.of(
                  new TopicPartition(topic, 0), new OffsetAndMetadata(1),
                  new TopicPartition(topic + ".bulk", 0), new OffsetAndMetadata(3)))
          .all()
          .get();
    }
    try (ConsoleServer console =
        ConsoleServer.start(
            ConsoleConfig.builder(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic)
                .group(group)
                .eventsTopic(SharedKafka.uniqueName("events"))
                .port(0)
                .build())) {
      String page =
          HTTP.send(
                  HttpRequest.newBuilder(URI.create(console.url() + "/overview")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();

      assertThat(page)
          .contains(
              "<tr class=\"job-class\" id=\"class-transactional\"><th>transactional</th><td>"
                  + topic
                  + "</td><td class=\"lag\">2</td><td class=\"dead-letters\">1</td></tr>")
          .contains(
              "<tr class=\"job-class\" id=\"class-bulk\"><th>bulk</th><td>"
                  + topic
                  + ".bulk</td><td class=\"lag\">4</td><td class=\"dead-letters\">2</td></tr>");
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
