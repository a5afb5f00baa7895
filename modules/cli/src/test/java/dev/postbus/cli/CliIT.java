package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.testkit.TopicReader;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The postbus executable run as a separate process, as a user runs it. */
@ExtendWith(SharedKafka.class)
class CliIT {

  record Result(int exit, String out, String err) {}

  static Result postbus(Map<String, String> env, String stdin, String... args) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(PostbusJvm.quick(args));
    pb.environment().keySet().removeIf(k -> k.startsWith("POSTBUS_"));
    pb.environment().putAll(env);
    File out = File.createTempFile("postbus-out", ".txt");
    File err = File.createTempFile("postbus-err", ".txt");
    out.deleteOnExit();
    err.deleteOnExit();
    pb.redirectOutput(out).redirectError(err);
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("postbus " + String.join(" ", args) + " did not finish");
    }
    return new Result(
        p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
  }

  @Test
  void theConsoleRefusesToListenBeyondLoopbackWithoutAPassword() throws Exception {
    Result r = postbus(Map.of(), null, "console", "--host", "0.0.0.0", "--port", "0");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip())
        .startsWith(
            "postbus console: console.password-file: required when the console listens on"
                + " 0.0.0.0 (console.host)")
        .doesNotContain("\tat ");
  }

  @Test
  void commandsFailFastWithOneLineAndExitCodeThreeWhenKafkaIsNotThere() throws Exception {
    int closed;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort(); // nothing listens there once it is closed
    }
    Map<String, String> env = Map.of("POSTBUS_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + closed);
    for (String[] args :
        List.of(
            new String[] {
              "send",
              "--from",
              "a@example.com",
              "--to",
              "b@example.com",
              "--subject",
              "hi",
              "--text",
              "x"
            },
            new String[] {"topics", "create"},
            new String[] {"dlt", "list"})) {
      long start = System.nanoTime();
      Result r = postbus(env, null, args);
      long seconds = (System.nanoTime() - start) / 1_000_000_000L;
      assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(3);
      assertThat(r.err().strip().lines())
          .as(String.join(" ", args))
          .singleElement()
          .asString()
          .contains("cannot reach Kafka at 127.0.0.1:" + closed + ": connection refused")
          .contains("POSTBUS_KAFKA_BOOTSTRAP_SERVERS");
      assertThat(seconds)
          .as("well within --kafka-timeout's 10 s (JVM start included)")
          .isLessThan(30);
    }
    Result unknown = postbus(Map.of(), null, "dlt", "list", "-b", "no-such-host.invalid:9092");
    assertThat(unknown.exit()).isEqualTo(3);
    assertThat(unknown.err()).contains("unknown host").doesNotContain("\tat ");
  }

  @Test
  void badEnvironmentValueStopsTheWorkerWithExitCodeTwoAndOneLine() throws Exception {
    Result r = postbus(Map.of("POSTBUS_SMTP_TLS", "ssl"), null, "worker");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip().lines())
        .containsExactly(
            "postbus: invalid configuration: smtp.tls (POSTBUS_SMTP_TLS): "
                + "expected one of none, starttls, starttls-required, implicit; got 'ssl' from POSTBUS_SMTP_TLS");
  }

  @Test
  void badFileValueStopsTheWorkerWithExitCodeTwoAndOneLine(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("postbus.properties");
    Files.writeString(config, "smtp.connections=many\n");
    Result r = postbus(Map.of(), null, "worker", "--config", config.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip().lines())
        .containsExactly(
            "postbus: invalid configuration: smtp.connections "
                + "(POSTBUS_SMTP_CONNECTIONS): expected an integer from 1 to 1024; got 'many' from postbus.properties");
  }

  @Test
  void badLogFormatStopsWithExitCodeTwoAndOneLine() throws Exception {
    Result r = postbus(Map.of("POSTBUS_LOG_FORMAT", "xml"), null, "worker");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip().lines())
        .containsExactly(
            "postbus: invalid configuration: POSTBUS_LOG_FORMAT: expected one of text, json; got 'xml'");
  }

  @Test
  void jsonLogFormatWritesOneJsonObjectPerLine(EmbeddedKafka kafka) throws Exception {
    String topic = SharedKafka.uniqueName("cli-json-log");
    Result r =
        postbus(
            Map.of("POSTBUS_LOG_FORMAT", "json", "POSTBUS_LOG_LEVEL", "INFO"),
            null,
            "topics",
            "create",
            "-b",
            kafka.bootstrapServers(),
            "-t",
            topic,
            "--partitions",
            "1");
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = r.err().strip().lines().toList();
    assertThat(lines).isNotEmpty();
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    List<com.fasterxml.jackson.databind.JsonNode> entries = new java.util.ArrayList<>();
    for (String line : lines) {
      entries.add(json.readTree(line)); // fails the test on any line that is not one JSON object
    }
    assertThat(entries)
        .allSatisfy(
            e ->
                assertThat(
                        e.has("timestamp")
                            && e.has("level")
                            && e.has("loggerName")
                            && e.has("formattedMessage"))
                    .as(e.toString())
                    .isTrue());
    assertThat(entries)
        .anySatisfy(
            e ->
                assertThat(e.get("formattedMessage").asText())
                    .startsWith("created topic " + topic));
  }

  @Test
  void topicsCreateThenSendNdjsonPublishesGoodLinesAndNamesBadOnes(EmbeddedKafka kafka)
      throws Exception {
    String topic = SharedKafka.uniqueName("cli-jobs");
    Result created =
        postbus(
            Map.of(),
            null,
            "topics",
            "create",
            "-b",
            kafka.bootstrapServers(),
            "-t",
            topic,
            "--partitions",
            "3");
    assertThat(created.exit()).as(created.err()).isZero();
    assertThat(created.out())
        .contains("created  " + topic + "\n")
        .contains("created  " + topic + ".dlt")
        .contains("created  " + topic + ".retry.30s")
        .contains("created  " + topic + ".retry.2h");
    assertThat(
            postbus(Map.of(), null, "topics", "create", "-b", kafka.bootstrapServers(), "-t", topic)
                .out())
        .contains("exists   " + topic);

    String ndjson =
        """
        {"schema":1,"id":"cli-1","from":"a@example.com","to":["b@example.com"],"subject":"Hi","text":"Hello"}
        {"schema":1,"id":"cli-2","from":"a@example.com","to":["b@example.com"],"subject":"Hi\\r\\nBcc: x@evil.com","text":"Hello"}

        {"schema":1,"from":"a@example.com","to":["Bob <b@example.com>"],"subject":"No id","text":"Hello"}
        """;
    Result sent =
        postbus(
            Map.of(
                "POSTBUS_KAFKA_BOOTSTRAP_SERVERS",
                kafka.bootstrapServers(),
                "POSTBUS_TOPIC",
                topic),
            ndjson,
            "send");
    assertThat(sent.exit()).isEqualTo(1);
    assertThat(sent.out()).contains("published cli-1 to " + topic);
    assertThat(sent.err())
        .contains("line 2 not published: subject: contains CR, LF or NUL (header injection)")
        .contains("2 published, 1 refused");

    Result single =
        postbus(
            Map.of(),
            null,
            "send",
            "-b",
            kafka.bootstrapServers(),
            "-t",
            topic,
            "--id",
            "cli-3",
            "--from",
            "Shop <shop@example.com>",
            "--to",
            "b@example.com",
            "--subject",
            "Receipt",
            "--text",
            "Thanks");
    assertThat(single.exit()).as(single.err()).isZero();
    assertThat(single.out()).startsWith("published cli-3 to " + topic);

    assertThat(keys(kafka, topic, 3)).hasSize(3).contains("cli-1", "cli-3");
  }

  private static List<String> keys(EmbeddedKafka kafka, String topic, int expected) {
    return TopicReader.keys(
        TopicReader.read(kafka.bootstrapServers(), topic, expected, Duration.ofSeconds(30)));
  }
}
