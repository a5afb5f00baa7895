package dev.postbus.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.feedback.config.FeedbackConfig;
import dev.postbus.job.VerpToken;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.testkit.TopicReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * DSNs and ARF complaints over real SMTP to the receiver's listener, written to a real broker: the
 * same records as the HTTP endpoints write, 250 only once acknowledged; a forged VERP token, a
 * foreign domain and an oversized message refused, nothing written.
 */
@ExtendWith(SharedKafka.class)
class BounceListenerIT {

  private static final String KEY = "verp-key-for-tests-0123456789abcdef";
  private static final String BOUNCES = "bounces.example.com";
  private static final String RETURN_PATH = "rp.example.com";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final VerpToken VERP = new VerpToken(KEY);

  @TempDir static Path dir;
  static FeedbackServer server;
  static String topic;
  static String events;
  static String bootstrap;

  @BeforeAll
  static void start(EmbeddedKafka kafka) throws Exception {
    bootstrap = kafka.bootstrapServers();
    topic = SharedKafka.uniqueName("fbsmtp");
    events = SharedKafka.uniqueName("fbsmtp-events");
    kafka
        .admin()
        .createTopics(
            List.of(
                new NewTopic(topic + ".suppressions", 1, (short) 1),
                new NewTopic(events, 1, (short) 1)))
        .all()
        .get();
    Files.writeString(dir.resolve("verp"), KEY + "\n");
    FeedbackConfig.Builder b =
        FeedbackConfig.builder(Map.of("bootstrap.servers", bootstrap), topic)
            .port(0)
            .eventsTopic(events);
    b.smtp()
        .port(0)
        .bounceDomain(BOUNCES)
        .returnPathDomain(RETURN_PATH)
        .verpKeyFile(dir.resolve("verp"))
        .maxMessage(64 * 1024);
    server = FeedbackServer.start(b.build());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** A fixture with its recipient and Message-ID made unique to one test. */
  private static byte[] dsn(String recipient, String eventId) throws IOException {
    try (InputStream in =
        BounceListenerIT.class.getResourceAsStream("/mail/dsn-two-recipients.eml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("nobody@example.net", recipient)
          .replace("20261202100005.4F2A1C0123@mx.example.net", eventId + "@mx.example.net")
          .getBytes(StandardCharsets.UTF_8);
    }
  }

  private static List<JsonNode> read(String t, String field, String value) {
    return TopicReader.read(bootstrap, t, 1, Duration.ofSeconds(10)).stream()
        .map(BounceListenerIT::tree)
        .filter(n -> value.equals(n.path(field).asText()))
        .toList();
  }

  private static List<String> suppressed(String address) {
    return TopicReader.read(bootstrap, topic + ".suppressions", 1, Duration.ofSeconds(10)).stream()
        .filter(s -> new String(s.key(), StandardCharsets.UTF_8).equals(address))
        .map(s -> tree(s).path("source").asText())
        .toList();
  }

  private static JsonNode tree(ConsumerRecord<byte[], byte[]> r) {
    try {
      return JSON.readTree(r.value());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aDsnToAVerpReturnPathIsWrittenSuppressedAndBecomesAnEventBeforeThe250() throws Exception {
    String address = VERP.address("job-dsn-1", RETURN_PATH);

    int code = SmtpClient.send(server.smtpPort(), address, dsn("gone-dsn@example.net", "dsn-1"));

    assertThat(code).isEqualTo(250);
    // acknowledged before the 250: the records are there at once
    List<JsonNode> feedback =
        read(topic + ".feedback", "providerEventId", "<dsn-1@mx.example.net>");
    assertThat(feedback).hasSize(2);
    JsonNode bounce = feedback.get(0);
    assertThat(bounce.path("provider").asText()).isEqualTo("dsn");
    assertThat(bounce.path("type").asText()).isEqualTo("bounce");
    assertThat(bounce.path("bounceClass").asText()).isEqualTo("permanent");
    assertThat(bounce.path("recipient").asText()).isEqualTo("gone-dsn@example.net");
    assertThat(bounce.path("status").asText()).isEqualTo("5.1.1");
    assertThat(bounce.path("jobId").asText()).as("from the VERP token").isEqualTo("job-dsn-1");
    assertThat(feedback.get(1).path("type").asText()).isEqualTo("delay");
    assertThat(suppressed("gone-dsn@example.net")).containsExactly("feedback");
    assertThat(read(events, "jobId", "job-dsn-1"))
        .extracting(e -> e.path("type").asText())
        .containsExactly("bounced");
  }

  @Test
  void withoutVerpTheQuotedMessageIdFindsTheJob() throws Exception {
    int code =
        SmtpClient.send(
            server.smtpPort(), "postmaster@" + BOUNCES, dsn("gone-mid@example.net", "dsn-2"));

    assertThat(code).isEqualTo(250);
    List<JsonNode> feedback =
        read(topic + ".feedback", "providerEventId", "<dsn-2@mx.example.net>");
    assertThat(feedback).extracting(n -> n.path("jobId").asText()).containsOnly("order-42");
    assertThat(suppressed("gone-mid@example.net")).containsExactly("feedback");
  }

  @Test
  void anArfComplaintOverSmtpSuppressesTheRecipient() throws Exception {
    byte[] arf;
    try (InputStream in = BounceListenerIT.class.getResourceAsStream("/mail/arf-abuse.eml")) {
      arf =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .replace("reader@isp.example", "complainer@isp.example")
              .getBytes(StandardCharsets.UTF_8);
    }
    assertThat(SmtpClient.send(server.smtpPort(), "abuse@" + BOUNCES, arf)).isEqualTo(250);

    assertThat(read(topic + ".feedback", "recipient", "complainer@isp.example"))
        .extracting(n -> n.path("provider").asText() + " " + n.path("type").asText())
        .containsExactly("arf complaint");
    assertThat(suppressed("complainer@isp.example")).containsExactly("feedback");
  }

  @Test
  void aForgedVerpTokenIsRefusedAndNothingIsWritten() throws Exception {
    String real = VERP.token("job-real");
    String forged =
        VerpToken.PREFIX
            + VERP.token("job-victim").split("\\.")[0]
            + "."
            + real.substring(real.indexOf('.') + 1)
            + "@"
            + RETURN_PATH;
    try (SmtpClient c = new SmtpClient(server.smtpPort())) {
      assertThat(c.command("MAIL FROM:<>")).isEqualTo(250);
      assertThat(c.command("RCPT TO:<" + forged + ">")).isEqualTo(550);
      assertThat(c.data(dsn("victim@example.net", "dsn-forged"))).isNotEqualTo(250);
    }
    // a good one after it: once it is written, the forged one would have been too
    String marker = VERP.address("job-after-forged", RETURN_PATH);
    assertThat(SmtpClient.send(server.smtpPort(), marker, dsn("after@example.net", "dsn-after")))
        .isEqualTo(250);

    assertThat(read(topic + ".feedback", "recipient", "victim@example.net")).isEmpty();
    assertThat(suppressed("victim@example.net")).isEmpty();
    assertThat(read(events, "jobId", "job-victim")).isEmpty();
    assertThat(metrics())
        .contains("postbus_feedback_rejected_total{provider=\"smtp\",reason=\"verp\"}");
  }

  @Test
  void aForeignDomainAndAnOversizedMessageAreRefused() throws Exception {
    try (SmtpClient c = new SmtpClient(server.smtpPort())) {
      assertThat(c.command("MAIL FROM:<>")).isEqualTo(250);
      assertThat(c.command("RCPT TO:<someone@example.org>")).isEqualTo(550);
    }
    byte[] big = dsn("big@example.net", "dsn-big");
    String padded =
        new String(big, StandardCharsets.UTF_8)
            .replace(
                "This is the mail system",
                "x".repeat(70) + "\n".repeat(1) + "This is the mail system")
            .replace("x".repeat(70), ("x".repeat(70) + "\n").repeat(1000));
    int code =
        SmtpClient.send(
            server.smtpPort(), "postmaster@" + BOUNCES, padded.getBytes(StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(552);
    String marker = VERP.address("job-after-big", RETURN_PATH);
    assertThat(
            SmtpClient.send(
                server.smtpPort(), marker, dsn("after-big@example.net", "dsn-after-big")))
        .isEqualTo(250);
    assertThat(read(topic + ".feedback", "recipient", "big@example.net")).isEmpty();
  }

  @Test
  void mailThatHoldsNoReportIsTakenIgnoredAndCounted() throws Exception {
    byte[] ooo;
    try (InputStream in = BounceListenerIT.class.getResourceAsStream("/mail/not-a-report.eml")) {
      ooo = in.readAllBytes();
    }
    assertThat(SmtpClient.send(server.smtpPort(), "postmaster@" + BOUNCES, ooo)).isEqualTo(250);
    assertThat(metrics())
        .contains("postbus_feedback_ignored_total{provider=\"smtp\",reason=\"not-a-report\"} 1.0");
  }

  private static String metrics() throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(server.url() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
