package dev.postbus.smtp.internal;

import dev.postbus.smtp.SmtpConfig;
import dev.postbus.smtp.TlsMode;
import jakarta.mail.Session;
import java.util.Properties;

/** Turns an {@link SmtpConfig} into the Angus Mail session properties. */
public final class MailSessions {

  private MailSessions() {}

  public static Session create(SmtpConfig config) {
    return Session.getInstance(properties(config));
  }

  static Properties properties(SmtpConfig c) {
    Properties p = new Properties();
    p.put("mail.smtp.host", c.host());
    p.put("mail.smtp.port", Integer.toString(c.port()));
    p.put("mail.smtp.connectiontimeout", Long.toString(c.connectTimeout().toMillis()));
    p.put("mail.smtp.timeout", Long.toString(c.readTimeout().toMillis()));
    p.put("mail.smtp.writetimeout", Long.toString(c.writeTimeout().toMillis()));
    // A recipient refused at RCPT does not stop the message to the others; refusals come back as values.
    p.put("mail.smtp.sendpartial", "true");
    p.put("mail.smtp.quitwait", "true");
    if (c.heloName() != null) {
      p.put("mail.smtp.localhost", c.heloName());
    }
    p.put("mail.smtp.starttls.enable", Boolean.toString(c.tls() == TlsMode.STARTTLS || c.tls() == TlsMode.STARTTLS_REQUIRED));
    p.put("mail.smtp.starttls.required", Boolean.toString(c.tls() == TlsMode.STARTTLS_REQUIRED));
    p.put("mail.smtp.ssl.enable", Boolean.toString(c.tls() == TlsMode.IMPLICIT));
    if (c.verifyCertificates()) {
      p.put("mail.smtp.ssl.checkserveridentity", "true");
    } else {
      p.put("mail.smtp.ssl.checkserveridentity", "false");
      p.put("mail.smtp.ssl.trust", "*");
    }
    if (c.authenticated()) {
      p.put("mail.smtp.auth", "true");
      p.put("mail.smtp.auth.mechanisms", "PLAIN LOGIN");
    }
    return p;
  }
}
