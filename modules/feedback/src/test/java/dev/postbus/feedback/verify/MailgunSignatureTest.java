package dev.postbus.feedback.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class MailgunSignatureTest {

  @Test
  void anHmacOfTimestampAndTokenWithTheSigningKeyVerifies() {
    // HMAC-SHA256("key-test", "1529006854" + "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"),
    // computed independently with: printf %s ... | openssl dgst -sha256 -hmac key-test
    String expected =
        MailgunSignature.sign(
            "key-test", "1529006854", "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0");
    assertThat(expected)
        .isEqualTo("2df0e54f503d31abdc1519117a730ae38748e41e86f9ae25431dbd26059468af");
    assertThat(
            MailgunSignature.verify(
                "key-test",
                "1529006854",
                "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0",
                expected))
        .isTrue();
    assertThat(
            MailgunSignature.verify(
                "key-other",
                "1529006854",
                "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0",
                expected))
        .isFalse();
    assertThat(
            MailgunSignature.verify(
                "key-test",
                "1529006855",
                "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0",
                expected))
        .isFalse();
    assertThat(
            MailgunSignature.verify(
                "key-test",
                "1529006854",
                "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de1",
                expected))
        .isFalse();
  }

  @Test
  void freshnessRefusesOldAndFarFutureTimestamps() {
    Clock clock = Clock.fixed(Instant.parse("2026-12-02T10:00:00Z"), ZoneOffset.UTC);
    Freshness f = new Freshness(clock, Duration.ofHours(1));
    f.check(Instant.parse("2026-12-02T09:00:01Z"), "t");
    f.check(Instant.parse("2026-12-02T10:04:59Z"), "t");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> f.check(Instant.parse("2026-12-02T08:59:59Z"), "t"))
        .hasMessageContaining("feedback.max-age");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> f.check(Instant.parse("2026-12-02T10:05:01Z"), "t"))
        .isInstanceOf(dev.postbus.feedback.model.Refusal.class);
    assertThat(Freshness.epochSeconds("1521233195.375624", "t"))
        .isEqualTo(Instant.parse("2018-03-16T20:46:35.375Z"));
  }
}
