package dev.postbus.smtp.internal;

import dev.postbus.smtp.SmtpConfig;
import dev.postbus.smtp.TlsMode;
import jakarta.mail.Session;
import java.util.Properties;

/** Turns an {@link SmtpConfig} into the Angus Mail session properties. */
public final class MailSessions {

  /**
   * Jakarta Mail 2.1 looks up its stream provider with a ServiceLoader scan of every jar on the class path
   * each time a message is written (measured: about a tenth of the CPU of a send). Naming the provider in
   * this system property turns that into a direct class load. Set once, only when the user has not.
   */
  public static final String STREAM_PROVIDER_PROPERTY = "jakarta.mail.util.StreamProvider";

  static {
    if (System.getProperty(STREAM_PROVIDER_PROPERTY) == null) {
      System.setProperty(STREAM_PROVIDER_PROPERTY, "org.eclipse.angus.mail.util.MailStreamProvider");
    }
  }

  private MailSessions() {}

  /** Makes sure the static set-up above has run (for code that builds messages without a connection). */
  public static void init() {
    // the class initializer does the work
  }

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
    if (c.trustStore() != null) {
      // Used for implicit TLS and for STARTTLS alike; host-name verification stays as set above.
      p.put("mail.smtp.ssl.socketFactory", c.trustStore().socketFactory());
    }
    if (c.authenticated()) {
      p.put("mail.smtp.auth", "true");
      p.put("mail.smtp.auth.mechanisms", c.authMechanism().mechanisms());
    }
    return p;
  }
}
