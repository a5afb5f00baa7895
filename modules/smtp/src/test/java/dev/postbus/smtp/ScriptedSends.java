package dev.postbus.smtp;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;

/** What the tests against a {@link ScriptedServer} share: a plain message, a config, one send. */
final class ScriptedSends {

  private static final Session SESSION = Session.getInstance(new Properties());

  private ScriptedSends() {}

  /** A text message from a@example.com to b@example.net. */
  static MimeMessage message(String text) throws Exception {
    MimeMessage m = new MimeMessage(SESSION);
    m.setFrom("a@example.com");
    m.setRecipients(Message.RecipientType.TO, "b@example.net");
    m.setText(text);
    m.saveChanges();
    return m;
  }

  /** No TLS, 2 s read and write timeouts. */
  /** One recipient, someone@example.org (the address the log tests look for). */
  static jakarta.mail.Address[] someone() {
    try {
      return new jakarta.mail.Address[] {
        new jakarta.mail.internet.InternetAddress("someone@example.org")
      };
    } catch (jakarta.mail.internet.AddressException e) {
      throw new IllegalStateException(e);
    }
  }

  static SmtpConfig config(int port) {
    return SmtpConfig.builder("127.0.0.1", port, TlsMode.NONE)
        .readTimeout(Duration.ofSeconds(2))
        .writeTimeout(Duration.ofSeconds(2))
        .build();
  }

  /** One message to a relay offering {@code ext} and answering as {@code script} says. */
  static SendOutcome sendOnce(
      List<String> ext, Function<String, String> script, MimeMessage m, Address[] to)
      throws Exception {
    try (ScriptedServer s = new ScriptedServer(ext, false, script);
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      return c.send(m, to);
    }
  }
}
