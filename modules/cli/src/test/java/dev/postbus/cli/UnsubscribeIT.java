package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.embedded.CapturedMessage;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.feedback.FeedbackServer;
import dev.postbus.feedback.config.FeedbackConfig;
import dev.postbus.job.Job;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.job.Unsubscribe;
import dev.postbus.testkit.HttpProbe;
import dev.postbus.testkit.MinimalWorker;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.testkit.TopicReader;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.lifecycle.Worker;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * One-click unsubscribe end to end (RFC 8058): a real broker, a worker sending to the capture
 * server with List-Unsubscribe, the feedback receiver answering the link. Leaving a list keeps that
 * list's mail from the address, never its transactional mail.
 */
@ExtendWith(SharedKafka.class)
class UnsubscribeIT {

  private static final String KEY = "unsubscribe-it-key-0123456789abcdef";
  private static final String BASE = "https://mail.example.com/postbus";
  private static final Pattern LINK =
      Pattern.compile("\r\nList-Unsubscribe: <" + Pattern.quote(BASE) + "(/u/[^>\r\n]+)>\r\n");
  private static final String ONE_CLICK = "List-Unsubscribe=One-Click";

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void oneClickSuppressesTheListOnceAndLetsTransactionalMailThrough(
      EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    Map<String, String> s = MinimalWorker.settings(kafka.bootstrapServers(), 0, "unsub");
    Path key = Files.writeString(dir.resolve("unsubscribe.key"), KEY + "\n");
    String topic = s.get("topic");
    try (SmtpCapture relay = SmtpCapture.start(0);
        FeedbackServer receiver = receiver(kafka, topic, key)) {
      s.put("smtp.port", Integer.toString(relay.port()));
      s.put("unsubscribe.base-url", BASE + "/");
      s.put("feedback.unsubscribe-key-file", key.toString());
      try (Worker worker = Worker.start(WorkerConfig.from(Settings.of(s)));
          JobPublisher p =
              JobPublisher.create(PublisherConfig.of(kafka.bootstrapServers(), topic))) {
        p.publish(newsletter("news-1", "news")).join();
        CapturedMessage first =
            await()
                .atMost(Duration.ofSeconds(60))
                .until(() -> find(relay, "news-1"), m -> m != null);
        String raw = new String(first.raw(), StandardCharsets.US_ASCII);
        Matcher m = LINK.matcher(raw);
        assertThat(m.find()).as("List-Unsubscribe on one line in\n%s", raw).isTrue();
        assertThat(raw).contains("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
        String path = m.group(1);

        HttpResponse<String> page = HttpProbe.get(receiver.port(), path);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<form method=\"post\">", "name=\"List-Unsubscribe\"");
        assertThat(suppressions(kafka, topic, Duration.ofSeconds(2)))
            .isEmpty(); // a GET changes nothing

        HttpResponse<String> posted = post(receiver, path, ONE_CLICK);
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        assertThat(posted.headers().firstValue("Location")).isEmpty();
        assertThat(posted.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(post(receiver, path, ONE_CLICK).statusCode()).isEqualTo(202); // a double click

        List<ConsumerRecord<byte[], byte[]>> entries =
            suppressions(kafka, topic, Duration.ofSeconds(2));
        // a click after the first's write is written again (no memory: a re-subscribe may be
        // between): the same key, which the compacted topic keeps once
        assertThat(TopicReader.keys(entries)).containsOnly("list:news bob@example.net");
        assertThat(new String(entries.get(entries.size() - 1).value(), StandardCharsets.UTF_8))
            .contains("\"source\":\"unsubscribe\"", "\"list\":\"news\"");
        await().atMost(Duration.ofSeconds(10)).until(() -> worker.suppressions().size() == 1);

        p.publish(newsletter("news-2", "news")).join();
        p.publish(Job.text("reset-1", "shop@example.com", "Bob@Example.net", "Reset", "x")).join();
        p.publish(newsletter("offers-1", "offers")).join();

        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> find(relay, "reset-1") != null && find(relay, "offers-1") != null);
        List<ConsumerRecord<byte[], byte[]>> dead =
            TopicReader.read(kafka.bootstrapServers(), topic + ".dlt", 1, Duration.ofSeconds(30));
        assertThat(TopicReader.keys(dead)).containsExactly("news-2");
        assertThat(header(dead.get(0), PostbusHeaders.CLASS)).isEqualTo("suppressed");
        assertThat(find(relay, "news-2")).isNull();
      }
    }
  }

  @Test
  void aForgedAlteredOrMalformedLinkIsRefusedAndWritesNothing(
      EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    String topic = SharedKafka.uniqueName("unsub-forged");
    Path key = Files.writeString(dir.resolve("unsubscribe.key"), KEY + "\n");
    try (FeedbackServer receiver = receiver(kafka, topic, key)) {
      dev.postbus.job.UnsubscribeToken mine = new dev.postbus.job.UnsubscribeToken(KEY, null);
      String token = mine.token("news", "bob@example.net", "j-1");
      String[] parts = token.split("\\.");
      String other = mine.token("news", "eve@example.net", "j-1").split("\\.")[1];
      String altered = parts[0] + "." + other + "." + parts[2];
      String foreign =
          new dev.postbus.job.UnsubscribeToken("someone-elses-key-0123456789abcdef", null)
              .token("news", "bob@example.net", "j-1");

      assertThat(post(receiver, "/u/" + altered, ONE_CLICK).statusCode()).isEqualTo(403);
      assertThat(HttpProbe.get(receiver.port(), "/u/" + altered).statusCode()).isEqualTo(403);
      assertThat(post(receiver, "/u/" + foreign, ONE_CLICK).statusCode()).isEqualTo(404);
      assertThat(post(receiver, "/u/not-a-token", ONE_CLICK).statusCode()).isEqualTo(404);
      HttpResponse<String> noBody = post(receiver, "/u/" + token, "");
      assertThat(noBody.statusCode()).isEqualTo(400);
      assertThat(noBody.body()).contains("List-Unsubscribe=One-Click");
      assertThat(post(receiver, "/u/" + token, "unsubscribe=yes").statusCode()).isEqualTo(400);
      assertThat(post(receiver, "/u/" + token, "x".repeat(10_000)).statusCode()).isEqualTo(413);

      assertThat(suppressions(kafka, topic, Duration.ofSeconds(2))).isEmpty();
      String scrape = HttpProbe.get(receiver.port(), "/metrics").body();
      assertThat(scrape)
          .containsPattern(
              "postbus_feedback_rejected_total\\{provider=\"unsubscribe\",reason=\"forged\"} 2.0");
      assertThat(scrape)
          .containsPattern(
              "postbus_feedback_rejected_total\\{provider=\"unsubscribe\",reason=\"bad-body\"}"
                  + " 2.0");
    }
  }

  private static FeedbackServer receiver(EmbeddedKafka kafka, String topic, Path key) {
    return FeedbackServer.start(
        FeedbackConfig.builder(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic)
            .port(0)
            .unsubscribeKeyFile(key)
            .build());
  }

  private static Job newsletter(String id, String list) {
    return Job.text(id, "news@example.com", "bob@example.net", "News", "Hello")
        .withUnsubscribe(new Unsubscribe(list));
  }

  private static CapturedMessage find(SmtpCapture relay, String jobId) {
    return relay.recent(100).stream()
        .filter(
            m ->
                new String(m.raw(), StandardCharsets.US_ASCII)
                    .contains("\r\nX-Postbus-Job: " + jobId + "\r\n"))
        .findFirst()
        .orElse(null);
  }

  private HttpResponse<String> post(FeedbackServer receiver, String path, String body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(receiver.url() + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<ConsumerRecord<byte[], byte[]>> suppressions(
      EmbeddedKafka kafka, String topic, Duration wait) {
    return TopicReader.read(kafka.bootstrapServers(), topic + ".suppressions", 0, wait);
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
