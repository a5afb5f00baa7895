package dev.postbus.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Defect 9 of issue 20: a TLS handshake cut by the network (an end of stream in the middle of it)
 * is a connection that failed, not the relay refusing us; only certificate and protocol failures
 * are refusals (SecurityIT covers those).
 */
class HandshakeCutIT {

  private static final Session SESSION = Session.getInstance(new java.util.Properties());

  @ParameterizedTest(name = "{0}")
  @CsvSource({"STARTTLS", "IMPLICIT"})
  void aHandshakeCutInTheMiddleIsAFailedConnectionNotARefusal(String mode) throws Exception {
    boolean implicit = mode.equals("IMPLICIT");
    try (HandRelay relay =
        new HandRelay(
            p -> {
              if (implicit) {
                p.line(); // some of the ClientHello, then the network cuts it
                return;
              }
              p.reply("220 hand ESMTP");
              p.line();
              p.reply("250-hand\r\n250 STARTTLS");
              p.line();
              p.reply("220 go ahead");
              // and the connection is cut before the handshake
            })) {
      SmtpConfig config =
          SmtpConfig.builder(
                  "localhost", relay.port(), implicit ? TlsMode.IMPLICIT : TlsMode.STARTTLS)
              .readTimeout(Duration.ofSeconds(5))
              .build();
      MimeMessage m = new MimeMessage(SESSION);
      m.setFrom("a@example.com");
      m.setRecipients(Message.RecipientType.TO, "b@example.net");
      m.setText("x");
      try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "t")) {
        assertThat(c.send(m, Rcpt.of("b@example.net")))
            .isInstanceOf(SendOutcome.ConnectFailed.class);
      }
    }
  }
}
