package dev.postbus.smtp;

import static dev.postbus.smtp.ScriptedSends.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A relay that trickles, one byte every 150 ms against a read timeout of 200 ms: no single read
 * ever waits its timeout, so only a bound on the whole reply (the greeting, each reply, the end's
 * reply) and on the whole TLS handshake ends the wait. Without it a lane was held for hours.
 */
class TrickleIT {

  private static final long PACE_MILLIS = 150;
  private static final Duration READ_TIMEOUT = Duration.ofMillis(200);
  private static final Duration BOUND = Duration.ofSeconds(10); // generous: 2 cores, shared

  private static final byte[] ENDLESS_REPLY = "250-x\r\n".getBytes(StandardCharsets.US_ASCII);

  /** A TLS handshake record header (16 KB to come), then its body, a byte at a time. */
  private static final byte[] ENDLESS_RECORD = {0x16, 0x03, 0x03, 0x40, 0x00, 0x02, 0x00, 0x00};

  /**
   * The JVM's first TLS use loads its crypto (seconds on a loaded machine): not under the bound.
   */
  @BeforeAll
  static void warmTls() throws Exception {
    javax.net.ssl.SSLEngine engine = SSLContext.getDefault().createSSLEngine();
    engine.setUseClientMode(true);
    engine.beginHandshake();
  }

  private static SmtpConfig config(int port, TlsMode tls) {
    return SmtpConfig.builder("localhost", port, tls)
        .readTimeout(READ_TIMEOUT)
        .writeTimeout(Duration.ofSeconds(2))
        .dataDoneTimeout(Duration.ofMillis(300))
        .build();
  }

  private static SendOutcome send(HandRelay relay, TlsMode tls) {
    return assertTimeoutPreemptively(
        BOUND,
        () -> {
          try (SmtpConnection c =
              new SmtpConnection(config(relay.port(), tls), Clock.systemUTC(), "t")) {
            return c.send(message("x"), Rcpt.of("b@example.net"));
          }
        });
  }

  @Test
  void aReplyTrickledForeverEndsAsALostConnectionAfterTheReadTimeout() throws Exception {
    try (HandRelay relay =
        new HandRelay(
            p -> {
              p.reply("220 hand ESMTP");
              p.line(); // EHLO
              p.reply("250 hand");
              p.line(); // MAIL
              p.drip(ENDLESS_REPLY, PACE_MILLIS);
            })) {
      assertThat(send(relay, TlsMode.NONE))
          .isInstanceOfSatisfying(
              SendOutcome.ConnectionLost.class,
              l -> assertThat(l.problem()).contains("before the end of data"));
    }
  }

  @Test
  void theEndsReplyTrickledForeverIsInDoubtAfterTheDataDoneTimeout() throws Exception {
    try (HandRelay relay =
        new HandRelay(
            p -> {
              p.envelope(java.util.List.of(), null);
              p.data();
              p.drip(ENDLESS_REPLY, PACE_MILLIS);
            })) {
      assertThat(send(relay, TlsMode.NONE)).isInstanceOf(SendOutcome.InDoubt.class);
    }
  }

  @Test
  void aGreetingTrickledForeverIsAFailedConnection() throws Exception {
    try (HandRelay relay = new HandRelay(p -> p.drip(ENDLESS_REPLY, PACE_MILLIS))) {
      assertThat(send(relay, TlsMode.NONE)).isInstanceOf(SendOutcome.ConnectFailed.class);
    }
  }

  @Test
  void aTlsHandshakeTrickledForeverIsAFailedConnection() throws Exception {
    try (HandRelay relay = new HandRelay(p -> p.drip(ENDLESS_RECORD, PACE_MILLIS))) {
      assertThat(send(relay, TlsMode.IMPLICIT)).isInstanceOf(SendOutcome.ConnectFailed.class);
    }
  }
}
