package dev.postbus.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.kafka.DurableProducer;
import dev.postbus.testkit.SharedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The dead-letter table pages through a topic a page at a time, filters as the CLI does. */
@ExtendWith(SharedKafka.class)
class ConsolePagingIT {

  @Test
  void pagesThroughTheMatchesAndCountsThemAll(EmbeddedKafka kafka) throws Exception {
    String topic = SharedKafka.uniqueName("paging");
    try (var admin = kafka.admin()) {
      admin.createTopics(List.of(new NewTopic(topic + ".dlt", 1, (short) 1))).all().get();
    }
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        ProducerRecord<byte[], byte[]> r =
            new ProducerRecord<>(
                topic + ".dlt",
                ("job-" + i).getBytes(StandardCharsets.UTF_8),
                "{}".getBytes(StandardCharsets.UTF_8));
        r.headers()
            .add(PostbusHeaders.CLASS, (i % 3 == 0 ? "expired" : "permanent").getBytes())
            .add(PostbusHeaders.CODE, "550".getBytes())
            .add(PostbusHeaders.REASON, "refused".getBytes());
        sent.add(producer.send(r));
      }
      written(sent);
    }
    try (ConsoleServer console =
        ConsoleServer.start(
            ConsoleConfig.builder(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic)
                .port(0)
                .pageSize(5)
                .build())) {
      String first = get(console.url() + "/dead-letters?class=permanent");
      assertThat(rows(first)).isEqualTo(5);
      assertThat(first)
          .contains("<strong>8</strong> of 12 dead letters match; showing 5 from number 1.");
      assertThat(first).contains("href=\"/dead-letters?class=permanent&amp;page=1\"");
      String second = get(console.url() + "/dead-letters?class=permanent&page=1");
      assertThat(rows(second)).isEqualTo(3);
      assertThat(second).contains("showing 3 from number 6").doesNotContain("id=\"next\"");
      assertThat(get(console.url() + "/dead-letters?code=4.7.*"))
          .contains("<strong>0</strong> of 12");

      // replaying a selection previews exactly the ticked rows (the filter fields play no part)
      HttpResponse<String> page =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(console.url() + "/dead-letters")).build(),
              HttpResponse.BodyHandlers.ofString());
      String cookie = page.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
      String token = cookie.substring(cookie.indexOf('=') + 1);
      HttpResponse<String> preview =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(console.url() + "/dead-letters/replay"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .header("Cookie", cookie)
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "csrf="
                              + token
                              + "&mode=selection&action=preview&select=0%401&select=0%404&class=expired"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(preview.statusCode()).isEqualTo(200);
      assertThat(preview.body())
          .contains("<strong>2</strong> of 12 would be republished.")
          .contains("The selected dead letters, at 0@1, 0@4.");
    }
  }

  @Test
  void aPageAskedAgainReadsFromTheIndexInPartitionThenOffsetOrder(EmbeddedKafka kafka)
      throws Exception {
    String topic = SharedKafka.uniqueName("index");
    try (var admin = kafka.admin()) {
      admin.createTopics(List.of(new NewTopic(topic + ".dlt", 3, (short) 1))).all().get();
    }
    fill(kafka, topic, 100);
    ConsoleConfig config =
        ConsoleConfig.builder(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic)
            .port(0)
            .pageSize(5)
            .build();
    try (ConsoleServer console = ConsoleServer.start(config)) {
      String cold = get(console.url() + "/dead-letters?page=37");
      // all 300 match; number 186 is the 86th of partition 1
      assertThat(positions(cold)).containsExactly("1@85", "1@86", "1@87", "1@88", "1@89");
      assertThat(cold).contains("<strong>300</strong> of 300");
      long before = console.deadLetterRecordsRead();
      String warm = get(console.url() + "/dead-letters?page=37");
      long read = console.deadLetterRecordsRead() - before;
      assertThat(positions(warm)).isEqualTo(positions(cold));
      // from the checkpoint 10 pages back at most: 55 records, not the topic's 300
      assertThat(read).isBetween(5L, 55L);
      // an age moves with the clock: never cached, read whole, the same rows
      before = console.deadLetterRecordsRead();
      assertThat(positions(get(console.url() + "/dead-letters?page=37&since=3650d")))
          .isEqualTo(positions(cold));
      assertThat(console.deadLetterRecordsRead() - before).isEqualTo(300);

      fill(kafka, topic, 2); // 6 more, 2 a partition
      before = console.deadLetterRecordsRead();
      String grown = get(console.url() + "/dead-letters?page=37");
      read = console.deadLetterRecordsRead() - before;
      assertThat(grown).contains("<strong>306</strong> of");
      assertThat(positions(grown)).containsExactly("1@83", "1@84", "1@85", "1@86", "1@87");
      assertThat(read).isBetween(6L, 6L + 55L);
    }
    try (ConsoleServer fresh = ConsoleServer.start(config)) {
      assertThat(positions(get(fresh.url() + "/dead-letters?page=37")))
          .containsExactly("1@83", "1@84", "1@85", "1@86", "1@87");
    }
  }

  /** {@code perPartition} more dead letters in each of the topic's 3 partitions. */
  private static void fill(EmbeddedKafka kafka, String topic, int perPartition) {
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (int i = 0; i < perPartition; i++) {
        for (int p = 0; p < 3; p++) {
          ProducerRecord<byte[], byte[]> r =
              new ProducerRecord<>(
                  topic + ".dlt",
                  p,
                  ("job-" + p + "-" + i).getBytes(StandardCharsets.UTF_8),
                  "{}".getBytes(StandardCharsets.UTF_8));
          r.headers().add(PostbusHeaders.CLASS, "permanent".getBytes());
          sent.add(producer.send(r));
        }
      }
      written(sent);
    }
  }

  /**
   * A producer as Postbus's own write: with several requests in flight, the first batch of a
   * partition created a moment ago can fail for good (OUT_OF_ORDER_SEQUENCE_NUMBER on Kafka 4.4).
   */
  private static KafkaProducer<byte[], byte[]> producer(EmbeddedKafka kafka) {
    return new KafkaProducer<>(
        DurableProducer.settings(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers())),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  /** Every send was written; otherwise the test fails with the send's error. */
  private static void written(List<Future<RecordMetadata>> sent) {
    for (Future<RecordMetadata> f : sent) {
      try {
        f.get(2, TimeUnit.MINUTES);
      } catch (Exception e) {
        throw new AssertionError("the fixture could not write a dead letter", e);
      }
    }
  }

  private static List<String> positions(String html) {
    return Pattern.compile("href=\"/dead-letters/([0-9]+@[0-9]+)\"")
        .matcher(html)
        .results()
        .map(m -> m.group(1))
        .distinct()
        .toList();
  }

  private static int rows(String html) {
    return (int) Pattern.compile("<tr class=\"dl\">").matcher(html).results().count();
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static String get(String url) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }
}
