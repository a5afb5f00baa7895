package dev.postbus.smtp;

import static dev.postbus.smtp.ScriptedSends.config;
import static dev.postbus.smtp.ScriptedSends.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.smtp.internal.WireBytes;
import jakarta.mail.Address;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Defects 10 and 11 of issue 20: SIZE leaves out dot-stuffing and the end marker, and the session
 * itself refuses what a relay cannot take (8-bit body, non-ASCII address) or what must never be
 * written (a line break or angle bracket in an address), whatever its callers check.
 */
class EnvelopeChecksIT {

  @Test
  void sizeLeavesOutDotStuffingAndTheEndMarker() throws Exception {
    MimeMessage m = message(".line\n".repeat(200));
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    m.writeTo(raw, new String[] {"Bcc", "Content-Length"});
    int size = new WireBytes().encode(raw.toByteArray(), raw.size(), false).length();
    try (ScriptedServer s = new ScriptedServer(List.of("SIZE " + size), false, ScriptedServer::ok);
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      assertThat(c.send(m, Rcpt.of("b@example.net"))).isInstanceOf(SendOutcome.Delivered.class);
      assertThat(s.commands).contains("MAIL FROM:<a@example.com> SIZE=" + size);
    }
  }

  @Test
  void anEightBitBodyIsNotSentToARelayWithout8BitMime() throws Exception {
    MimeMessage m = message("Grüße");
    m.setHeader("Content-Transfer-Encoding", "8bit");
    try (ScriptedServer s = new ScriptedServer(List.of("PIPELINING"), false, ScriptedServer::ok);
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      assertThat(c.send(m, Rcpt.of("b@example.net")))
          .isInstanceOfSatisfying(
              SendOutcome.Rejected.class,
              r -> assertThat(r.reply().codes()).isEqualTo("554 5.6.3"));
      assertThat(s.commands).noneMatch(l -> l.startsWith("MAIL"));
    }
  }

  @Test
  void aNonAsciiAddressIsNotSentToARelayWithoutSmtpUtf8() throws Exception {
    InternetAddress to = new InternetAddress();
    to.setAddress("jörg@example.net");
    try (ScriptedServer s =
            new ScriptedServer(List.of("PIPELINING", "8BITMIME"), false, ScriptedServer::ok);
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      assertThat(c.send(message("x"), new Address[] {to}))
          .isInstanceOfSatisfying(
              SendOutcome.Rejected.class,
              r -> assertThat(r.reply().codes()).isEqualTo("553 5.6.7"));
      assertThat(s.commands).noneMatch(l -> l.startsWith("MAIL"));
    }
  }

  @Test
  void anAddressWithALineBreakOrAngleBracketIsNeverWritten() throws Exception {
    for (String bad :
        List.of("b@example.net>\r\nRCPT TO:<c@example.net", "b@exa\nmple.net", "b<@example.net")) {
      InternetAddress to = new InternetAddress();
      to.setAddress(bad);
      try (ScriptedServer s =
              new ScriptedServer(List.of("PIPELINING", "8BITMIME"), false, ScriptedServer::ok);
          SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
        assertThat(c.send(message("x"), new Address[] {to}))
            .isInstanceOfSatisfying(
                SendOutcome.Rejected.class,
                r -> assertThat(r.reply().codes()).isEqualTo("553 5.1.3"));
        assertThat(s.commands).noneMatch(l -> l.startsWith("MAIL") || l.startsWith("RCPT"));
      }
    }
  }
}
