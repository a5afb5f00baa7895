package dev.postbus.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Defect 2 of issue 20: credentials never go over an unencrypted session. A relay (or a path
 * attacker) that strips STARTTLS from the EHLO reply, or answers it 454, gets no AUTH command: the
 * relay is refused with a line that says why, and nothing is sent.
 */
class PlaintextAuthIT {

  private static final Session SESSION = Session.getInstance(new java.util.Properties());

  @ParameterizedTest(name = "{0}")
  @CsvSource({"STARTTLS stripped", "STARTTLS answered 454"})
  void credentialsAreNeverSentWhenStartTlsDidNotComeUp(String attack) throws Exception {
    boolean offered = attack.contains("454");
    List<String> ext =
        offered
            ? List.of("PIPELINING", "STARTTLS", "AUTH PLAIN LOGIN")
            : List.of("PIPELINING", "AUTH PLAIN LOGIN");
    try (ScriptedServer s =
        new ScriptedServer(
            ext,
            false,
            cmd ->
                cmd.startsWith("STARTTLS")
                    ? "454 4.7.0 TLS not available"
                    : cmd.startsWith("AUTH") ? "235 2.7.0 ok" : ScriptedServer.ok(cmd))) {
      SmtpConfig config =
          SmtpConfig.builder("127.0.0.1", s.port(), TlsMode.STARTTLS)
              .credentials("u@example.com", Secret.of("hunter2"))
              .readTimeout(Duration.ofSeconds(2))
              .build();
      MimeMessage m = new MimeMessage(SESSION);
      m.setFrom("a@example.com");
      m.setRecipients(Message.RecipientType.TO, "b@example.net");
      m.setText("x");
      try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "t")) {
        assertThat(c.send(m, Rcpt.of("b@example.net")))
            .isInstanceOfSatisfying(
                SendOutcome.RelayRefused.class,
                r ->
                    assertThat(r.problem())
                        .contains("credentials are not sent over an unencrypted session"));
      }
      assertThat(s.commands).noneMatch(c -> c.toUpperCase().startsWith("AUTH"));
      assertThat(s.commands).noneMatch(c -> c.contains("aHVudGVyMg")); // "hunter2" in base64
      assertThat(s.commands).noneMatch(c -> c.toUpperCase().startsWith("MAIL"));
    }
  }
}
