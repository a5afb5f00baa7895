package dev.postbus.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmtpConfigTest {

  @Test
  void toStringNeverShowsCredentials() {
    SmtpConfig c =
        SmtpConfig.of("relay.example.com", 587, TlsMode.STARTTLS_REQUIRED).toBuilder()
            .credentials("AKIAUSER", Secret.of("hunter2"))
            .build();
    assertThat(c.toString())
        .contains("auth=plain-login as (user) with (secret)")
        .doesNotContain("AKIAUSER", "hunter2");
    assertThat(Secret.of("hunter2").toString()).isEqualTo("(secret)");
  }

  @Test
  void badValuesNameTheirKey() {
    assertThatThrownBy(() -> SmtpConfig.of("relay", 0, TlsMode.NONE))
        .hasMessage("smtp.port must be between 1 and 65535, got 0");
    assertThatThrownBy(
            () ->
                SmtpConfig.of("relay", 25, TlsMode.NONE).toBuilder()
                    .maxMessagesPerConnection(0)
                    .maxConnectionAge(Duration.ofMinutes(1))
                    .idleTimeout(Duration.ofSeconds(1))
                    .build())
        .hasMessage("smtp.max-messages-per-connection must be at least 1, got 0");
    assertThatThrownBy(
            () ->
                SmtpConfig.of("relay", 25, TlsMode.NONE).toBuilder()
                    .connectTimeout(Duration.ZERO)
                    .readTimeout(Duration.ofSeconds(1))
                    .writeTimeout(Duration.ofSeconds(1))
                    .build())
        .hasMessage("smtp.connect-timeout must be a positive duration, got PT0S");
  }

  @Test
  void socketTimeoutsMustFitWholeMillisecondsASocketTakes() {
    SmtpConfig.Builder b = SmtpConfig.of("relay", 25, TlsMode.NONE).toBuilder();
    // over Integer.MAX_VALUE ms the connect timeout overflowed: every connect failed
    assertThatThrownBy(() -> b.connectTimeout(Duration.ofDays(30)).build())
        .hasMessageContaining("smtp.connect-timeout")
        .hasMessageContaining("PT720H");
    // under 1 ms it was 0 ms: no timeout at all
    assertThatThrownBy(
            () ->
                SmtpConfig.of("relay", 25, TlsMode.NONE).toBuilder()
                    .readTimeout(Duration.ofNanos(500_000))
                    .build())
        .hasMessageContaining("smtp.read-timeout");
    assertThatThrownBy(
            () ->
                SmtpConfig.of("relay", 25, TlsMode.NONE).toBuilder()
                    .writeTimeout(Duration.ofDays(25))
                    .build())
        .hasMessageContaining("smtp.write-timeout");
    assertThatThrownBy(
            () ->
                SmtpConfig.of("relay", 25, TlsMode.NONE).toBuilder()
                    .dataDoneTimeout(Duration.ofNanos(1))
                    .build())
        .hasMessageContaining("smtp.data-done-timeout");
    assertThat(
            SmtpConfig.of("relay", 25, TlsMode.NONE).toBuilder()
                .connectTimeout(Duration.ofMillis(1))
                .readTimeout(Duration.ofDays(24))
                .build()
                .readTimeout())
        .isEqualTo(Duration.ofDays(24));
  }

  @Test
  void tlsModesParseFromTheirConfigNames() {
    assertThat(TlsMode.fromConfigName("starttls-required")).isEqualTo(TlsMode.STARTTLS_REQUIRED);
    assertThat(TlsMode.fromConfigName(" Implicit ")).isEqualTo(TlsMode.IMPLICIT);
    assertThat(TlsMode.fromConfigName("ssl")).isNull();
    assertThat(TlsMode.allowedValues()).isEqualTo("none, starttls, starttls-required, implicit");
  }

  @Test
  void credentialsWithoutTlsAreRefusedUnlessPlaintextAuthIsAllowedOutLoud() {
    assertThatThrownBy(
            () ->
                SmtpConfig.builder("relay", 25, TlsMode.NONE)
                    .credentials("user", Secret.of("hunter2"))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("smtp.tls=none")
        .hasMessageContaining("smtp.auth-over-plaintext=allow")
        .hasMessageNotContaining("hunter2");
    assertThat(
            SmtpConfig.builder("relay", 25, TlsMode.NONE)
                .credentials("user", Secret.of("hunter2"))
                .authOverPlaintext(true)
                .build()
                .toString())
        .contains("AUTH OVER PLAINTEXT ALLOWED");
  }

  @Test
  void theHeloNameIsOneWordOfAsciiOfAtMost255Characters() {
    for (String ok : java.util.List.of("mx.example.com", "[192.0.2.1]", "a".repeat(255))) {
      assertThat(
              SmtpConfig.of("relay", 25, TlsMode.NONE).toBuilder().heloName(ok).build().heloName())
          .isEqualTo(ok);
    }
    for (String bad :
        java.util.List.of(
            "mx.bücher.de", "mx\r\nRSET", "mx example.com", "<mx>", "", "a".repeat(256))) {
      assertThatThrownBy(
              () -> SmtpConfig.of("relay", 25, TlsMode.NONE).toBuilder().heloName(bad).build())
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("smtp.helo-name must be")
          .hasMessageNotContaining("\r")
          .hasMessageNotContaining("\n");
    }
  }
}
