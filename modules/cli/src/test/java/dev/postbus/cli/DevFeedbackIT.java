package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.embedded.FreePort;
import dev.postbus.job.Job;
import dev.postbus.testkit.HttpProbe;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through {@code postbus dev} (one stack for the class): a job is delivered to the
 * capture server, then a bounce for it is posted to the dev receiver. SES is not configurable in
 * dev (no SNS topic, no certificate), so the bounce comes through {@code /feedback/generic}, which
 * dev takes from loopback without a token; the SES endpoint's own path is FeedbackIT's.
 */
class DevFeedbackIT {

  @TempDir static Path dir;
  private static Process dev;
  private static File out;
  private static int kafkaPort;
  private static int consolePort;
  private static int feedbackPort;

  @BeforeAll
  static void startDev() throws Exception {
    kafkaPort = FreePort.pick();
    consolePort = FreePort.pick();
    feedbackPort = FreePort.pick();
    out = dir.resolve("dev.txt").toFile();
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Dlogback.configurationFile=logback.xml",
            "-cp",
            System.getProperty("java.class.path"),
            Postbus.class.getName(),
            "dev",
            "--kafka-port",
            Integer.toString(kafkaPort),
            "--controller-port",
            Integer.toString(FreePort.pick()),
            "--smtp-port",
            Integer.toString(FreePort.pick()),
            "--http-port",
            Integer.toString(FreePort.pick()),
            "--console-port",
            Integer.toString(consolePort),
            "--feedback-port",
            Integer.toString(feedbackPort),
            "--worker-port",
            Integer.toString(FreePort.pick()),
            "--connections",
            "1",
            "--data",
            dir.resolve("kafka").toString());
    pb.environment().keySet().removeIf(k -> k.startsWith("POSTBUS_"));
    dev = pb.redirectErrorStream(true).redirectOutput(out).start();
    await()
        .atMost(Duration.ofMinutes(2))
        .until(
            () ->
                !dev.isAlive()
                    || Files.readString(out.toPath()).contains("Postbus dev stack is running"));
    assertThat(dev.isAlive()).as(Files.readString(out.toPath())).isTrue();
  }

  @AfterAll
  static void stopDev() throws Exception {
    if (dev != null) {
      dev.destroy();
      if (!dev.waitFor(60, TimeUnit.SECONDS)) {
        dev.destroyForcibly();
      }
    }
  }

  private static List<String> story(String jobId) throws Exception {
    String page = HttpProbe.get(consolePort, "/jobs?id=" + jobId + "&since=1h").body();
    return java.util.regex.Pattern.compile("<td class=\"type\">([a-z-]+)</td>")
        .matcher(page)
        .results()
        .map(m -> m.group(1))
        .toList();
  }

  @Test
  void aDeliveredJobThenItsBounceShowInItsStoryAndTheAddressIsSuppressed() throws Exception {
    String bootstrap = "127.0.0.1:" + kafkaPort;
    try (JobPublisher p = JobPublisher.create(PublisherConfig.of(bootstrap, "postbus.jobs"))) {
      p.publish(Job.text("e2e-bounce-1", "shop@example.com", "gone@example.net", "Hi", "x")).join();
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> story("e2e-bounce-1").contains("delivered"));

    HttpResponse<String> posted =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + feedbackPort + "/feedback/generic"))
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"type\":\"bounce\",\"bounceClass\":\"permanent\",\"recipient\":"
                                + "\"gone@example.net\",\"jobId\":\"e2e-bounce-1\",\"status\":"
                                + "\"5.1.1\",\"diagnostic\":\"smtp; 550 5.1.1 user unknown\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);

    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> story("e2e-bounce-1").contains("bounced"));
    assertThat(story("e2e-bounce-1")).containsSubsequence("delivered", "bounced");

    CliIT.Result check =
        CliIT.postbus(Map.of(), null, "suppressions", "check", "gone@example.net", "-b", bootstrap);
    assertThat(check.exit()).as(check.err()).isZero();
    assertThat(check.out())
        .contains("gone@example.net is suppressed since")
        .contains("(feedback): generic reported a permanent bounce 5.1.1");
  }
}
