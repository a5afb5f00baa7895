package dev.postbus.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.feedback.config.FeedbackConfig;
import dev.postbus.job.VerpToken;
import dev.postbus.testkit.PostfixRelay;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.testkit.TopicReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Postfix makes a real DSN: it accepts a message for an address it then fails to deliver
 * (its {@code error} transport, as a mailbox that turns out not to exist), and returns the bounce
 * to the message's VERP return path, which its transport map routes to the receiver's SMTP
 * listener. The test sends the message as the worker does (envelope sender {@code
 * bounces+<token>@<return-path-domain>}, Postbus Message-ID), by hand: the loop with the worker
 * itself is {@code PostfixVerpBounceIT} in the cli module, which sees both. Skipped, with the
 * reason, where Postfix cannot run.
 */
@ExtendWith(SharedKafka.class)
class PostfixBounceIT {

  private static final String KEY = "postfix-verp-key-0123456789abcdef-0123";
  private static final String RETURN_PATH = "rp.example.com";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  @TempDir Path postfixDir;

  @Test
  void postfixsBounceReachesTheListenerAndSuppressesTheAddress(EmbeddedKafka kafka)
      throws Exception {
    String missing = PostfixRelay.missing();
    assumeTrue(missing == null, () -> "PostfixBounceIT skipped: " + missing);
    String bootstrap = kafka.bootstrapServers();
    String topic = SharedKafka.uniqueName("fbpostfix");
    String events = SharedKafka.uniqueName("fbpostfix-events");
    kafka
        .admin()
        .createTopics(
            List.of(
                new NewTopic(topic + ".suppressions", 1, (short) 1),
                new NewTopic(events, 1, (short) 1)))
        .all()
        .get();
    Files.writeString(dir.resolve("verp"), KEY);
    FeedbackConfig.Builder b =
        FeedbackConfig.builder(Map.of("bootstrap.servers", bootstrap), topic)
            .port(0)
            .eventsTopic(events);
    b.smtp()
        .port(0)
        .bounceDomain("bounces.example.com")
        .returnPathDomain(RETURN_PATH)
        .verpKeyFile(dir.resolve("verp"));
    try (FeedbackServer server = FeedbackServer.start(b.build());
        PostfixRelay postfix =
            PostfixRelay.start(
                postfixDir,
                List.of(
                    // accepted at RCPT (a listed mailbox), failed at delivery: the alias leads
                    // to the error transport, as a mailbox found gone after the 250
                    "virtual_alias_maps = inline:{ {gone-later@example.net ="
                        + " gone-later@fail.invalid} }",
                    "transport_maps = inline:{ {fail.invalid = error:5.1.1 mailbox unknown}, {"
                        + RETURN_PATH
                        + " = smtp:[127.0.0.1]:"
                        + server.smtpPort()
                        + "} }",
                    "smtp_tls_security_level = none",
                    "bounce_queue_lifetime = 0"),
                List.of("smtp unix - - n - - smtp"))) {
      String job = "pf-job-1";
      String sender = new VerpToken(KEY).address(job, RETURN_PATH);
      try (SmtpClient c = new SmtpClient(postfix.port)) {
        assertThat(c.command("MAIL FROM:<" + sender + ">")).isEqualTo(250);
        assertThat(c.command("RCPT TO:<gone-later@example.net>"))
            .as("accepted now: %s", c.lastReply())
            .isEqualTo(250);
        assertThat(c.data(message(job))).isEqualTo(250);
      }

      await("Postfix's DSN written")
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(feedback(bootstrap, topic + ".feedback", job))
                      .as("maillog: %s", postfix.log())
                      .isNotEmpty());
      JsonNode f = feedback(bootstrap, topic + ".feedback", job).get(0);
      assertThat(f.path("provider").asText()).isEqualTo("dsn");
      assertThat(f.path("type").asText()).isEqualTo("bounce");
      assertThat(f.path("bounceClass").asText()).isEqualTo("permanent");
      assertThat(f.path("recipient").asText()).isEqualTo("gone-later@example.net");
      assertThat(f.path("status").asText()).isEqualTo("5.1.1");
      assertThat(
              TopicReader.read(bootstrap, topic + ".suppressions", 1, Duration.ofSeconds(10))
                  .stream()
                  .map(r -> new String(r.key(), StandardCharsets.UTF_8)))
          .contains("gone-later@example.net");
      assertThat(
              TopicReader.read(bootstrap, events, 1, Duration.ofSeconds(10)).stream()
                  .map(PostfixBounceIT::tree)
                  .filter(e -> job.equals(e.path("jobId").asText()))
                  .map(e -> e.path("type").asText()))
          .containsExactly("bounced");
    }
  }

  private static byte[] message(String job) {
    return ("From: shop@example.com\r\nTo: gone-later@example.net\r\nSubject: Your order\r\n"
            + "Message-ID: <"
            + job
            + "@example.com>\r\nX-Postbus-Job: "
            + job
            + "\r\n\r\nThank you.\r\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static List<JsonNode> feedback(String bootstrap, String topic, String job) {
    List<ConsumerRecord<byte[], byte[]>> all;
    try {
      all = TopicReader.read(bootstrap, topic, 0, Duration.ofSeconds(5));
    } catch (RuntimeException | AssertionError e) {
      return List.of();
    }
    return all.stream()
        .map(PostfixBounceIT::tree)
        .filter(n -> job.equals(n.path("jobId").asText()))
        .toList();
  }

  private static JsonNode tree(ConsumerRecord<byte[], byte[]> r) {
    try {
      return JSON.readTree(r.value());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
