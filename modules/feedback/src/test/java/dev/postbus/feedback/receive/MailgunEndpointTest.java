package dev.postbus.feedback.receive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.feedback.ProviderPayloads;
import dev.postbus.feedback.model.Refusal;
import dev.postbus.feedback.verify.Freshness;
import dev.postbus.feedback.verify.MailgunSignature;
import dev.postbus.feedback.verify.MailgunTokens;
import dev.postbus.feedback.write.FeedbackWriter;
import dev.postbus.feedback.write.RepeatFilter;
import dev.postbus.suppression.SuppressionWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class MailgunEndpointTest {

  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String KEY = "key-mailgun-test";
  private static final String TOKEN = "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0";

  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final MailgunEndpoint endpoint =
      new MailgunEndpoint(
          KEY,
          new Freshness(CLOCK, Duration.ofHours(1)),
          new MailgunTokens(1000, Duration.ofMinutes(65), CLOCK),
          new Intake(
              new FeedbackWriter(
                  producer,
                  "t.feedback",
                  new SuppressionWriter(producer, "t.suppressions"),
                  "t.events",
                  Duration.ofSeconds(5),
                  CLOCK),
              new RepeatFilter(1000, Duration.ofHours(24), CLOCK),
              new FeedbackMetrics()),
          CLOCK);

  private static Request request(String body) {
    return new Request(h -> null, body.getBytes(StandardCharsets.UTF_8), false);
  }

  private static String signed(String eventId) {
    String ts = Long.toString(NOW.getEpochSecond());
    return ProviderPayloads.mailgun(
        ts, TOKEN, MailgunSignature.sign(KEY, ts, TOKEN), eventId, "failed", "permanent");
  }

  private long suppressionsOf(String address) {
    return producer.history().stream()
        .filter(r -> r.topic().equals("t.suppressions"))
        .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals(address))
        .count();
  }

  @Test
  void aSignatureTokenCarriesOneBodyAnotherBodyUnderItIsRefusedAndWritesNothing() {
    assertThat(endpoint.handle(request(signed("mg-1"))).status()).isEqualTo(200);
    int written = producer.history().size();

    // the captured signature object, with event-data of the attacker's choosing
    String forged = signed("mg-2").replace("gone@example.net", "victim@example.net");
    assertThatThrownBy(() -> endpoint.handle(request(forged)))
        .isInstanceOfSatisfying(
            Refusal.class,
            r -> {
              assertThat(r.status()).isEqualTo(403);
              assertThat(r.reason()).isEqualTo("replay");
            });
    assertThat(producer.history()).hasSize(written);
    assertThat(suppressionsOf("victim@example.net")).isZero();
  }

  @Test
  void theSameBodyAgainIsARetryAnsweredAsARepeat() {
    assertThat(endpoint.handle(request(signed("mg-3"))).text()).contains("accepted 1, repeats 0");
    assertThat(endpoint.handle(request(signed("mg-3"))).text()).contains("accepted 0, repeats 1");
  }
}
