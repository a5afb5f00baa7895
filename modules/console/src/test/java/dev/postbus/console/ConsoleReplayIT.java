package dev.postbus.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.testkit.TopicReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Replaying from the console: rows are chosen by their position, never by a key (a keyless record,
 * records keyed by recipient); a blank selection is refused; a confirmation is used once.
 */
@ExtendWith(SharedKafka.class)
class ConsoleReplayIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void aSelectionIsOfPositionsAndABlankOneIsRefused(EmbeddedKafka kafka) throws Exception {
    String topic = deadLetters(kafka, "select");
    try (ConsoleServer console = start(kafka, topic)) {
      Session s = Session.open(console.url());

      HttpResponse<String> blank = s.post("/dead-letters/replay", "mode=selection&action=preview");
      assertThat(blank.statusCode()).isEqualTo(400);
      assertThat(blank.body()).contains("choose at least one dead letter");
      HttpResponse<String> emptyValue =
          s.post("/dead-letters/replay", "mode=selection&action=preview&select=");
      assertThat(emptyValue.statusCode()).isEqualTo(400);

      // the keyless record, and one of three records keyed by the same recipient
      assertThat(
              s.post("/dead-letters/replay", "mode=selection&action=preview&select=0%400").body())
          .contains("<strong>1</strong> of 5 would be republished.");
      assertThat(
              s.post("/dead-letters/replay", "mode=selection&action=preview&select=0%402").body())
          .contains("<strong>1</strong> of 5 would be republished.");
    }
  }

  /**
   * A class field naming no class ({@code ,}) is refused, as {@code postbus dlt --class ,} is: it
   * never widens to every class, in the table, the preview or the replay.
   */
  @Test
  void aClassFieldNamingNoClassIsRefusedNotWidenedToEveryClass(EmbeddedKafka kafka)
      throws Exception {
    String topic = deadLetters(kafka, "noclass");
    try (ConsoleServer console = start(kafka, topic)) {
      Session s = Session.open(console.url());
      for (String typed : List.of("%2C", "+%2C+", "bogus")) {
        HttpResponse<String> preview =
            s.post("/dead-letters/replay", "mode=filter&action=preview&class=" + typed);
        assertThat(preview.statusCode()).as(typed).isEqualTo(400);
        assertThat(preview.body()).contains("class: ").doesNotContain("would be republished");
        HttpResponse<String> table =
            HTTP.send(
                HttpRequest.newBuilder(URI.create(console.url() + "/dead-letters?class=" + typed))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(table.statusCode()).as(typed).isEqualTo(400);
        assertThat(table.body()).contains("class: ");
      }
      assertThat(s.post("/dead-letters/replay", "mode=filter&action=preview&class=%2C").body())
          .contains("class: give at least one class");
    }
  }

  @Test
  void aConfirmationIsUsedOnceEvenWhenSentTwiceAtOnce(EmbeddedKafka kafka) throws Exception {
    String topic = deadLetters(kafka, "once");
    try (ConsoleServer console = start(kafka, topic)) {
      Session s = Session.open(console.url());
      HttpResponse<String> preview =
          s.post("/dead-letters/replay", "mode=filter&action=preview&class=permanent");
      assertThat(preview.body()).contains("<strong>4</strong> of 5 would be republished.");
      Matcher nonce = Pattern.compile("name=\"nonce\" value=\"([^\"]+)\"").matcher(preview.body());
      assertThat(nonce.find()).as("the preview's confirmation form carries a nonce").isTrue();
      String confirm = "action=confirm&nonce=" + nonce.group(1) + "&class=permanent";

      CompletableFuture<HttpResponse<String>> one =
          CompletableFuture.supplyAsync(() -> s.postQuietly("/dead-letters/replay", confirm));
      CompletableFuture<HttpResponse<String>> two =
          CompletableFuture.supplyAsync(() -> s.postQuietly("/dead-letters/replay", confirm));
      List<HttpResponse<String>> answers = List.of(one.get(), two.get());

      assertThat(answers).filteredOn(r -> r.statusCode() == 200).hasSize(1);
      assertThat(answers)
          .filteredOn(r -> r.statusCode() == 409)
          .singleElement()
          .satisfies(r -> assertThat(r.body()).contains("already confirmed"));
      // both answers are in: what the replay published is all there, read to the topic's end
      assertThat(TopicReader.read(kafka.bootstrapServers(), topic, 4, Duration.ofSeconds(30)))
          .hasSize(4);
    }
  }

  /**
   * A confirmation republishes what its preview counted: dead letters that arrive between the
   * preview and the confirmation, matching its filter, are left for a later run.
   */
  @Test
  void aConfirmationStopsAtTheEndItsPreviewSaw(EmbeddedKafka kafka) throws Exception {
    String topic = SharedKafka.uniqueName("window");
    try (var admin = kafka.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 1, (short) 1), new NewTopic(topic + ".dlt", 1, (short) 1)))
          .all()
          .get();
    }
    permanent(kafka, topic, 0, 3);
    try (ConsoleServer console = start(kafka, topic)) {
      Session s = Session.open(console.url());
      HttpResponse<String> preview =
          s.post("/dead-letters/replay", "mode=filter&action=preview&class=permanent");
      assertThat(preview.body()).contains("<strong>3</strong> of 3 would be republished.");
      Matcher nonce = Pattern.compile("name=\"nonce\" value=\"([^\"]+)\"").matcher(preview.body());
      assertThat(nonce.find()).isTrue();
      permanent(kafka, topic, 3, 2);

      HttpResponse<String> done =
          s.post("/dead-letters/replay", "action=confirm&nonce=" + nonce.group(1));

      assertThat(done.statusCode()).isEqualTo(200);
      assertThat(
              TopicReader.keys(
                  TopicReader.read(kafka.bootstrapServers(), topic, 3, Duration.ofSeconds(30))))
          .containsExactly("late-0", "late-1", "late-2");
      assertThat(done.body()).contains("<strong>3</strong>");
    }
  }

  private static void permanent(EmbeddedKafka kafka, String topic, int from, int n)
      throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (int i = from; i < from + n; i++) {
        ProducerRecord<byte[], byte[]> r =
            new ProducerRecord<>(
                topic + ".dlt",
                0,
                bytes("late-" + i),
                bytes(
                    "{\"schema\":1,\"id\":\"late-"
                        + i
                        + "\",\"from\":\"a@example.com\",\"to\":[\"b@example.net\"],"
                        + "\"subject\":\"s\",\"text\":\"t\"}"));
        r.headers().add(PostbusHeaders.CLASS, bytes("permanent"));
        producer.send(r).get();
      }
    }
  }

  /**
   * A bulk dead letter goes back to {@code <topic>.bulk}; one whose class header names neither
   * class to the jobs topic, and the page says so.
   */
  @Test
  void aBulkDeadLetterIsReplayedToTheBulkTopic(EmbeddedKafka kafka) throws Exception {
    String topic = SharedKafka.uniqueName("bulk");
    try (var admin = kafka.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 1, (short) 1),
                  new NewTopic(topic + ".bulk", 1, (short) 1),
                  new NewTopic(topic + ".dlt", 1, (short) 1)))
          .all()
          .get();
    }
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (String c : List.of("bulk", "newsletter")) {
        ProducerRecord<byte[], byte[]> r =
            new ProducerRecord<>(
                topic + ".dlt",
                0,
                bytes(c + "-1"),
                bytes(
                    "{\"schema\":1,\"id\":\""
                        + c
                        + "-1\",\"from\":\"a@example.com\",\"to\":[\"b@example.net\"],"
                        + "\"subject\":\"s\",\"text\":\"t\"}"));
        r.headers()
            .add(PostbusHeaders.CLASS, bytes("permanent"))
            .add(PostbusHeaders.JOB_CLASS, bytes(c));
        producer.send(r).get();
      }
    }
    try (ConsoleServer console = start(kafka, topic)) {
      Session s = Session.open(console.url());
      HttpResponse<String> preview = s.post("/dead-letters/replay", "mode=filter&action=preview");
      assertThat(preview.body())
          .contains("<strong>2</strong> of 2 would be republished.")
          .contains("1 of them bulk, to " + topic + ".bulk")
          .contains("1 of them with a postbus.class header naming neither class");
      Matcher nonce = Pattern.compile("name=\"nonce\" value=\"([^\"]+)\"").matcher(preview.body());
      assertThat(nonce.find()).isTrue();
      HttpResponse<String> done =
          s.post("/dead-letters/replay", "action=confirm&nonce=" + nonce.group(1));
      assertThat(done.statusCode()).isEqualTo(200);

      assertThat(
              TopicReader.keys(
                  TopicReader.read(
                      kafka.bootstrapServers(), topic + ".bulk", 1, Duration.ofSeconds(30))))
          .containsExactly("bulk-1");
      assertThat(
              TopicReader.keys(
                  TopicReader.read(kafka.bootstrapServers(), topic, 1, Duration.ofSeconds(30))))
          .containsExactly("newsletter-1");
    }
  }

  /**
   * A bulk dead letter while {@code <topic>.bulk} does not exist: the preview warns, and the
   * confirmed replay stops there with a page naming the topic, the command that creates it and how
   * many it replayed before (not "Kafka did not answer").
   */
  @Test
  void aReplayToAMissingBulkTopicIsWarnedOfAndStopsWithAClearPage(EmbeddedKafka kafka)
      throws Exception {
    String topic = SharedKafka.uniqueName("nobulk");
    try (var admin = kafka.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 1, (short) 1), new NewTopic(topic + ".dlt", 1, (short) 1)))
          .all()
          .get();
    }
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (String c : List.of("transactional", "bulk")) {
        ProducerRecord<byte[], byte[]> r =
            new ProducerRecord<>(
                topic + ".dlt",
                0,
                bytes(c + "-1"),
                bytes(
                    "{\"schema\":1,\"id\":\""
                        + c
                        + "-1\",\"from\":\"a@example.com\",\"to\":[\"b@example.net\"],"
                        + "\"subject\":\"s\",\"text\":\"t\"}"));
        r.headers()
            .add(PostbusHeaders.CLASS, bytes("permanent"))
            .add(PostbusHeaders.JOB_CLASS, bytes(c));
        producer.send(r).get();
      }
    }
    try (ConsoleServer console = start(kafka, topic)) {
      Session s = Session.open(console.url());
      HttpResponse<String> preview = s.post("/dead-letters/replay", "mode=filter&action=preview");
      assertThat(preview.body())
          .contains("id=\"missing-topic\"")
          .contains(topic + ".bulk does not exist")
          .contains("postbus topics create -t " + topic);
      Matcher nonce = Pattern.compile("name=\"nonce\" value=\"([^\"]+)\"").matcher(preview.body());
      assertThat(nonce.find()).isTrue();
      HttpResponse<String> done =
          s.post("/dead-letters/replay", "action=confirm&nonce=" + nonce.group(1));
      assertThat(done.statusCode()).isEqualTo(409);
      assertThat(done.body())
          .doesNotContain("Kafka did not answer")
          .contains(topic + ".bulk does not exist")
          .contains("postbus topics create -t " + topic)
          .contains("1 dead letter was replayed before it");
    }
  }

  static ConsoleServer start(EmbeddedKafka kafka, String topic) {
    return ConsoleServer.start(
        ConsoleConfig.builder(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic)
            .port(0)
            .build());
  }

  /**
   * Five dead letters in one partition: 0@0 keyless, 0@1..0@3 keyed by one recipient, 0@4 poison.
   */
  static String deadLetters(EmbeddedKafka kafka, String name) throws Exception {
    String topic = SharedKafka.uniqueName(name);
    try (var admin = kafka.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 1, (short) 1), new NewTopic(topic + ".dlt", 1, (short) 1)))
          .all()
          .get();
    }
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (int i = 0; i < 5; i++) {
        byte[] key = i == 0 ? null : i < 4 ? bytes("same@example.net") : bytes("job-4");
        ProducerRecord<byte[], byte[]> r =
            new ProducerRecord<>(
                topic + ".dlt",
                0,
                key,
                bytes(
                    "{\"schema\":1,\"id\":\"job-"
                        + i
                        + "\",\"from\":\"a@example.com\",\"to\":[\"same@example.net\"],"
                        + "\"subject\":\"s\",\"text\":\"t\"}"));
        r.headers()
            .add(PostbusHeaders.CLASS, bytes(i == 4 ? "poison" : "permanent"))
            .add(PostbusHeaders.CODE, bytes("550"));
        producer.send(r).get();
      }
    }
    return topic;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A browser's cookie and CSRF token, as the console's pages hand them out. */
  record Session(String url, String cookie, String token) {
    static Session open(String url) throws Exception {
      HttpResponse<String> page =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url + "/dead-letters")).build(),
              HttpResponse.BodyHandlers.ofString());
      String cookie = page.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
      return new Session(url, cookie, cookie.substring(cookie.indexOf('=') + 1));
    }

    HttpResponse<String> post(String path, String form) throws Exception {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create(url + path))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .header("Cookie", cookie)
              .POST(HttpRequest.BodyPublishers.ofString("csrf=" + token + "&" + form))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postQuietly(String path, String form) {
      try {
        return post(path, form);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
