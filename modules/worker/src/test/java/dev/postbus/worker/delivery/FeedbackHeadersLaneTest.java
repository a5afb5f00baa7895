package dev.postbus.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.CapturedMessage;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.job.VerpToken;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a lane sends so that {@code postbus feedback} can tie a later bounce to its job: the VERP
 * envelope sender, the {@code X-Postbus-Job} header and the relay's provider metadata header, seen
 * by a real SMTP server.
 */
class FeedbackHeadersLaneTest {

  private static final String KEY = "lane-verp-key-0123456789-0123456789";

  @TempDir Path dir;

  private static Job job(String id) {
    return Job.text(id, "shop@example.com", "bob@example.net", "Receipt", "Thanks");
  }

  private static CapturedMessage sendOne(Map<String, String> config, Job job) throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), config, pool -> true)) {
      h.offer(job);
      h.startLane("lane-0");
      await().atMost(Duration.ofSeconds(20)).until(() -> relay.received() == 1);
      return relay.recent(1).get(0);
    }
  }

  private static String source(CapturedMessage m) {
    return new String(m.raw(), StandardCharsets.UTF_8);
  }

  @Test
  void withAReturnPathTheEnvelopeSenderIsTheJobsVerpAddressTheReceiverVerifies() throws Exception {
    Path key = dir.resolve("verp.key");
    Files.writeString(key, KEY + "\n");
    CapturedMessage m =
        sendOne(
            Map.of(
                "feedback.return-path-domain",
                "rp.example.com",
                "feedback.verp-key-file",
                key.toString()),
            job("order:42"));
    String sender = m.envelopeFrom();
    assertThat(sender).endsWith("@rp.example.com").startsWith(VerpToken.PREFIX);
    assertThat(new VerpToken(KEY).check(sender.substring(0, sender.lastIndexOf('@'))))
        .isEqualTo(new VerpToken.Check(VerpToken.Status.VALID, "order:42"));
    assertThat(source(m)).contains("From: shop@example.com\r\n");
  }

  @Test
  void withoutAReturnPathTheEnvelopeSenderIsTheJobsFromAndNoProviderHeaderIsAdded()
      throws Exception {
    CapturedMessage m = sendOne(Map.of(), job("plain-1"));
    assertThat(m.envelopeFrom()).isEqualTo("shop@example.com");
    assertThat(source(m))
        .contains("X-Postbus-Job: plain-1\r\n")
        .doesNotContain("X-SES-MESSAGE-TAGS")
        .doesNotContain("X-SMTPAPI")
        .doesNotContain("X-PM-Metadata")
        .doesNotContain("X-Mailgun-Variables");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "ses|X-SES-MESSAGE-TAGS: postbus-job=order-42_a",
        "sendgrid|X-SMTPAPI: {\"unique_args\":{\"postbus_job\":\"order-42_a\"}}",
        "postmark|X-PM-Metadata-postbus-job: order-42_a",
        "mailgun|X-Mailgun-Variables: {\"postbus_job\":\"order-42_a\"}"
      })
  void eachProviderGetsTheJobIdInItsMetadataHeader(String provider, String header)
      throws Exception {
    String src = source(sendOne(Map.of("smtp.provider", provider), job("order-42_a")));
    assertThat(src).containsOnlyOnce(header + "\r\n").contains("X-Postbus-Job: order-42_a\r\n");
  }

  private Map<String, String> verpOn(Map<String, String> more) throws Exception {
    Path key = dir.resolve("verp.key");
    Files.writeString(key, KEY + "\n");
    Map<String, String> m = new HashMap<>(more);
    m.put("feedback.return-path-domain", "rp.example.com");
    m.put("feedback.verp-key-file", key.toString());
    m.put("relays", "a,b");
    return m;
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Sends one job over relays a and b (a first), returns what {@code got} received. */
  private static CapturedMessage sendOver(Map<String, String> config, SmtpCapture got, Job job)
      throws Exception {
    try (LaneHarness h = new LaneHarness(got.port(), config, pool -> true)) {
      h.offer(job);
      h.startLane("lane-0");
      await().atMost(Duration.ofSeconds(20)).until(() -> got.received() == 1);
      return got.recent(1).get(0);
    }
  }

  @Test
  void verpGoesOnlyToAPlainMtaAProviderGetsTheJobsFrom() throws Exception {
    try (SmtpCapture a = SmtpCapture.start(0);
        SmtpCapture b = SmtpCapture.start(0)) {
      Map<String, String> both =
          Map.of(
              "relay.a.port", Integer.toString(a.port()),
              "relay.a.provider", "ses",
              "relay.b.port", Integer.toString(b.port()));
      CapturedMessage viaSes = sendOver(verpOn(both), a, job("order-1"));
      assertThat(viaSes.envelopeFrom()).isEqualTo("shop@example.com");
      assertThat(source(viaSes)).contains("X-SES-MESSAGE-TAGS: postbus-job=order-1\r\n");
    }
  }

  @Test
  void onFailoverFromAProviderToAPlainMtaTheEnvelopeSenderBecomesVerp() throws Exception {
    try (SmtpCapture b = SmtpCapture.start(0)) {
      Map<String, String> config =
          verpOn(
              Map.of(
                  "relay.a.port", Integer.toString(closedPort()),
                  "relay.a.provider", "ses",
                  "relay.b.port", Integer.toString(b.port())));
      String sender = sendOver(config, b, job("order-2")).envelopeFrom();
      assertThat(sender).startsWith(VerpToken.PREFIX).endsWith("@rp.example.com");
      assertThat(new VerpToken(KEY).check(sender.substring(0, sender.lastIndexOf('@'))).jobId())
          .isEqualTo("order-2");
    }
  }

  @Test
  void onFailoverFromAPlainMtaToAProviderTheEnvelopeSenderIsTheJobsFrom() throws Exception {
    try (SmtpCapture b = SmtpCapture.start(0)) {
      Map<String, String> config =
          verpOn(
              Map.of(
                  "relay.a.port", Integer.toString(closedPort()),
                  "relay.b.port", Integer.toString(b.port()),
                  "relay.b.provider", "ses"));
      assertThat(sendOver(config, b, job("order-3")).envelopeFrom()).isEqualTo("shop@example.com");
    }
  }

  @Test
  void aJobWhoseVerpAddressWouldBeTooLongGoesWithItsFrom() throws Exception {
    Path key = dir.resolve("verp.key");
    Files.writeString(key, KEY + "\n");
    CapturedMessage m =
        sendOne(
            Map.of(
                "feedback.return-path-domain",
                "rp.example.com",
                "feedback.verp-key-file",
                key.toString()),
            job("x".repeat(40)));
    assertThat(m.envelopeFrom()).isEqualTo("shop@example.com");
    assertThat(source(m)).contains("X-Postbus-Job: " + "x".repeat(40) + "\r\n");
  }
}
