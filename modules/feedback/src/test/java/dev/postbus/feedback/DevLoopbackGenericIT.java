package dev.postbus.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.feedback.config.FeedbackConfig;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.testkit.TopicReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code postbus dev}'s {@code /feedback/generic} takes loopback callers without a token, but not
 * what a web page in the developer's browser can send: a cross-origin simple POST (an Origin not of
 * this machine, or a body not declared application/json, which needs a preflight we never grant),
 * or a request to a name rebound to 127.0.0.1 (its Host not of this machine). The requests are
 * written on a socket: Java's HttpClient will not set Host.
 */
@ExtendWith(SharedKafka.class)
class DevLoopbackGenericIT {

  static FeedbackServer server;
  static String bootstrap;
  static String topic;

  @BeforeAll
  static void start(EmbeddedKafka kafka) throws Exception {
    bootstrap = kafka.bootstrapServers();
    topic = SharedKafka.uniqueName("fb-dev");
    kafka
        .admin()
        .createTopics(List.of(new NewTopic(topic + ".suppressions", 1, (short) 1)))
        .all()
        .get();
    server =
        FeedbackServer.start(
            FeedbackConfig.builder(Map.of("bootstrap.servers", bootstrap), topic)
                .port(0)
                .eventsTopic(null)
                .devLoopbackGeneric(true)
                .build());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static String complaint(String recipient) {
    return "{\"type\":\"complaint\",\"recipient\":\"" + recipient + "\"}";
  }

  /** The status of a POST to /feedback/generic with these headers (name, value, ...). */
  private static int post(String body, String... headers) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder("POST /feedback/generic HTTP/1.1\r\n");
    for (int i = 0; i < headers.length; i += 2) {
      head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    head.append("Content-Length: ").append(bytes.length).append("\r\n");
    head.append("Connection: close\r\n\r\n");
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      InputStream in = s.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return Integer.parseInt(answer.split(" ", 3)[1]);
    }
  }

  private String host() {
    return "127.0.0.1:" + server.port();
  }

  @Test
  void aJsonPostFromThisMachineIsTakenWithoutAToken() throws Exception {
    assertThat(
            post(complaint("curl@example.net"), "Host", host(), "Content-Type", "application/json"))
        .isEqualTo(200);
    assertThat(
            post(
                complaint("ui@example.net"),
                "Host",
                "localhost:" + server.port(),
                "Content-Type",
                "application/json; charset=utf-8",
                "Origin",
                "http://localhost:3000"))
        .as("a page served from this machine")
        .isEqualTo(200);
  }

  @Test
  void whatAWebPageCanSendIsRefusedAndWritesNothing() throws Exception {
    assertThat(
            post(
                complaint("simple-post@example.net"),
                "Host",
                host(),
                "Content-Type",
                "text/plain;charset=UTF-8",
                "Origin",
                "https://evil.example"))
        .as("a cross-origin simple POST")
        .isEqualTo(403);
    assertThat(
            post(
                complaint("no-cors@example.net"), "Host", host(), "Origin", "https://evil.example"))
        .as("a body without a Content-Type")
        .isEqualTo(403);
    assertThat(
            post(
                complaint("json-origin@example.net"),
                "Host",
                host(),
                "Content-Type",
                "application/json",
                "Origin",
                "null"))
        .as("an opaque origin")
        .isEqualTo(403);
    assertThat(
            post(
                complaint("rebound@example.net"),
                "Host",
                "rebind.evil.example:" + server.port(),
                "Content-Type",
                "application/json"))
        .as("DNS rebinding: the page's own name, now resolving to 127.0.0.1")
        .isEqualTo(403);
    assertThat(post(complaint("form@example.net"), "Host", host(), "Content-Type", "text/plain"))
        .as("text/plain even without an Origin")
        .isEqualTo(403);

    // acknowledged before its 200: what came before it is on the topic
    assertThat(
            post(
                complaint("after@example.net"), "Host", host(), "Content-Type", "application/json"))
        .isEqualTo(200);
    List<String> suppressed =
        TopicReader.read(bootstrap, topic + ".suppressions", 1, Duration.ofSeconds(5)).stream()
            .map(r -> new String(r.key(), StandardCharsets.UTF_8))
            .toList();
    assertThat(suppressed)
        .contains("after@example.net")
        .doesNotContain(
            "simple-post@example.net",
            "no-cors@example.net",
            "json-origin@example.net",
            "rebound@example.net",
            "form@example.net");
  }
}
