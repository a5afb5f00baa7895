package dev.postbus.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Defect 1 of issue 20: the write timeout under TLS. The relay takes the envelope over TLS
 * (STARTTLS or implicit), says 354, then stops reading while a message larger than the socket
 * buffers is written: the send must end as lost within the write timeout, and so must a second
 * stall right after (one stall must not switch the timeout off for the JVM).
 */
class TlsWriteStallIT {

  @TempDir Path dir;

  private static final Session SESSION = Session.getInstance(new java.util.Properties());

  /** The relay's receive buffer, fixed (no autotuning): what it holds without reading. */
  private static final int RELAY_RECEIVE_BUFFER = 64 * 1024;

  /**
   * Twice Linux's largest send buffer (net.ipv4.tcp_wmem's max, 4 MiB by default) plus the relay's
   * receive buffer: the write stalls whatever the kernel's autotuning does, with a heap cost of a
   * few tens of MB (the old 40 MB single line, QP-encoded, cost some 200 MB).
   */
  private static final int MESSAGE_BYTES = 8 * 1024 * 1024;

  @ParameterizedTest(name = "{0}")
  @CsvSource({"STARTTLS", "IMPLICIT"})
  void aStalledTlsWriteIsCutAfterTheWriteTimeoutTwiceInARow(String mode) throws Exception {
    Certificates certs = Certificates.selfSigned(dir, "localhost");
    SSLContext server = certs.serverContext();
    boolean implicit = mode.equals("IMPLICIT");
    try (HandRelay relay =
        new HandRelay(
            implicit ? server : null,
            RELAY_RECEIVE_BUFFER,
            p -> {
              p.envelope(List.of("8BITMIME"), implicit ? null : server);
              p.hold(); // reads nothing more
            })) {
      SmtpConfig config =
          SmtpConfig.builder(
                  "localhost",
                  relay.port(),
                  implicit ? TlsMode.IMPLICIT : TlsMode.STARTTLS_REQUIRED)
              .trustStore(TrustStore.load(certs.trustStore, Secret.of(Certificates.PASSWORD)))
              .connectTimeout(Duration.ofSeconds(5))
              .readTimeout(Duration.ofSeconds(60))
              .writeTimeout(Duration.ofMillis(500))
              .build();
      MimeMessage big = new MimeMessage(SESSION);
      big.setFrom("a@example.com");
      big.setRecipients(Message.RecipientType.TO, "b@example.net");
      big.setText(("x".repeat(71) + "\n").repeat(MESSAGE_BYTES / 72)); // 7bit: no QP growth
      big.saveChanges();
      assertTimeoutPreemptively(
          Duration.ofSeconds(30),
          () -> {
            for (int i = 0; i < 2; i++) {
              try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "t")) {
                assertThat(c.send(big, Rcpt.of("b@example.net")))
                    .as("stall %d", i + 1)
                    .isInstanceOfSatisfying(
                        SendOutcome.ConnectionLost.class,
                        l -> assertThat(l.problem()).contains("before the end of data"));
              }
            }
          });
    }
  }
}
