package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postbus.bench.BenchCertificate;
import dev.postbus.bench.FeedbackLoad;
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
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through {@code postbus dev} (one stack for the class): a job is delivered to the
 * capture server, then a bounce for it is posted to the dev receiver: an SES Bounce notification
 * signed as SNS signs (SignatureVersion 2), verified in full by the dev receiver, which takes the
 * SNS topic from {@code --config} and fetches the signing certificate over https from this test's
 * server (dev-only keys {@code dev.sns-certificate-hosts} and {@code dev.sns-certificate-ca}); and
 * a generic bounce, which dev takes from loopback without a token.
 */
class DevFeedbackIT {

  @TempDir static Path dir;
  private static Process dev;
  private static File out;
  private static int kafkaPort;
  private static int consolePort;
  private static int feedbackPort;
  private static BenchCertificate sns;

  private static final String ARN = "arn:aws:sns:eu-west-1:123456789012:postbus-dev-ses";
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void startDev() throws Exception {
    sns = new BenchCertificate();
    Path ca = Files.writeString(dir.resolve("sns-ca.pem"), sns.pem());
    Path config =
        Files.writeString(
            dir.resolve("dev.properties"),
            "feedback.ses.topic-arns="
                + ARN
                + "\ndev.sns-certificate-hosts=localhost\ndev.sns-certificate-ca="
                + ca.toString().replace("\\", "/")
                + "\n");
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
            "--config",
            config.toString(),
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
    if (sns != null) {
      sns.close();
    }
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

  private static void delivered(String jobId, String to) throws Exception {
    try (JobPublisher p =
        JobPublisher.create(PublisherConfig.of("127.0.0.1:" + kafkaPort, "postbus.jobs"))) {
      p.publish(Job.text(jobId, "shop@example.com", to, "Hi", "x")).join();
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> story(jobId).contains("delivered"));
  }

  /** An SNS Notification carrying SES's Bounce for {@code jobId}, as SES sends it, signed. */
  private static String sesBounce(String jobId, String recipient, String messageId) {
    String at = Instant.now().toString();
    ObjectNode mail = JSON.createObjectNode();
    mail.put("timestamp", at);
    mail.put("messageId", "0102018c-dev-" + jobId);
    mail.put("source", "shop@example.com");
    mail.putArray("destination").add(recipient);
    mail.put("headersTruncated", false);
    mail.putArray("headers")
        .add(JSON.createObjectNode().put("name", "Message-ID").put("value", messageId));
    mail.putObject("commonHeaders").put("messageId", messageId).put("subject", "Hi");
    ObjectNode bounce = JSON.createObjectNode();
    bounce.put("bounceType", "Permanent");
    bounce.put("bounceSubType", "General");
    bounce
        .putArray("bouncedRecipients")
        .add(
            JSON.createObjectNode()
                .put("emailAddress", recipient)
                .put("action", "failed")
                .put("status", "5.1.1")
                .put("diagnosticCode", "smtp; 550 5.1.1 user unknown"));
    bounce.put("timestamp", at);
    bounce.put("feedbackId", "0102018c-feedback-" + jobId);
    ObjectNode message = JSON.createObjectNode();
    message.put("notificationType", "Bounce");
    message.set("bounce", bounce);
    message.set("mail", mail);
    ObjectNode n = JSON.createObjectNode();
    n.put("Type", "Notification");
    n.put("MessageId", java.util.UUID.randomUUID().toString());
    n.put("TopicArn", ARN);
    n.put("Message", message.toString());
    n.put("Timestamp", at);
    n.put("SigningCertURL", sns.url());
    n.put("UnsubscribeURL", "https://localhost/unsubscribe");
    return FeedbackLoad.signed(n, sns.keys.getPrivate());
  }

  private static HttpResponse<String> postSes(String body) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + feedbackPort + "/feedback/ses"))
                .header("x-amz-sns-message-type", "Notification")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aDeliveredJobThenItsSignedSesBounceShowInItsStoryAndTheAddressIsSuppressed()
      throws Exception {
    delivered("e2e-ses-1", "ses-gone@example.net");

    String tampered =
        sesBounce("e2e-ses-1", "ses-gone@example.net", "<e2e-ses-1@example.com>")
            .replace("5.1.1 user unknown", "5.1.1 user unknowN");
    assertThat(postSes(tampered).statusCode()).as("a tampered body is refused").isIn(401, 403);

    HttpResponse<String> posted =
        postSes(sesBounce("e2e-ses-1", "ses-gone@example.net", "<e2e-ses-1@example.com>"));
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);

    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> story("e2e-ses-1").contains("bounced"));
    assertThat(story("e2e-ses-1")).containsSubsequence("delivered", "bounced");

    CliIT.Result check =
        PostbusInProcess.postbus(
            "suppressions", "check", "ses-gone@example.net", "-b", "127.0.0.1:" + kafkaPort);
    assertThat(check.exit()).as(check.err()).isZero();
    assertThat(check.out())
        .contains("ses-gone@example.net is suppressed since")
        .contains("(feedback): ses reported a permanent bounce 5.1.1");
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
                    .header("Content-Type", "application/json")
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
        PostbusInProcess.postbus("suppressions", "check", "gone@example.net", "-b", bootstrap);
    assertThat(check.exit()).as(check.err()).isZero();
    assertThat(check.out())
        .contains("gone@example.net is suppressed since")
        .contains("(feedback): generic reported a permanent bounce 5.1.1");
  }
}
