package dev.postbus.smtp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExtensionsTest {

  @Test
  void readsWhatPostfixOffers() {
    Extensions e =
        Extensions.parse(
            List.of(
                "mx.example.com",
                "PIPELINING",
                "SIZE 10240000",
                "VRFY",
                "ETRN",
                "STARTTLS",
                "AUTH PLAIN LOGIN",
                "AUTH=PLAIN LOGIN",
                "ENHANCEDSTATUSCODES",
                "8BITMIME",
                "DSN",
                "SMTPUTF8",
                "CHUNKING"));
    assertThat(e.pipelining()).isTrue();
    assertThat(e.chunking()).isTrue();
    assertThat(e.size()).isEqualTo(10_240_000);
    assertThat(e.startTls()).isTrue();
    assertThat(e.eightBitMime()).isTrue();
    assertThat(e.smtpUtf8()).isTrue();
    assertThat(e.authMechanisms()).containsExactlyInAnyOrder("PLAIN", "LOGIN");
    assertThat(e.summary())
        .contains("PIPELINING", "CHUNKING", "SIZE 10240000", "AUTH LOGIN PLAIN")
        .doesNotContain("mx.example");
  }

  @Test
  void theFirstLineIsTheServersNameNotAnExtension() {
    Extensions e = Extensions.parse(List.of("PIPELINING"));
    assertThat(e.pipelining()).isFalse();
    assertThat(e.size()).isEqualTo(-1);
    assertThat(e.summary()).isEqualTo("(none)");
  }

  @Test
  void sizeWithoutALimitIsZero() {
    assertThat(Extensions.parse(List.of("x", "SIZE")).size()).isZero();
    assertThat(Extensions.parse(List.of("x", "size 12")).size()).isEqualTo(12);
  }
}
