package dev.postbus.smtp.internal;

import dev.postbus.smtp.SmtpConfig;
import jakarta.mail.Session;
import java.util.Properties;

/** The Jakarta Mail session that messages are built in. Postbus's own SMTP session sends them. */
public final class MailSessions {

  /**
   * Jakarta Mail 2.1 looks up its stream provider with a ServiceLoader scan of every jar on the
   * class path each time a message is written (measured: about a tenth of the CPU of a send).
   * Naming the provider in this system property turns that into a direct class load. Set once, only
   * when the user has not.
   */
  public static final String STREAM_PROVIDER_PROPERTY = "jakarta.mail.util.StreamProvider";

  static {
    if (System.getProperty(STREAM_PROVIDER_PROPERTY) == null) {
      System.setProperty(
          STREAM_PROVIDER_PROPERTY, "org.eclipse.angus.mail.util.MailStreamProvider");
    }
  }

  private MailSessions() {}

  /**
   * Makes sure the static set-up above has run (for code that builds messages without a
   * connection).
   */
  public static void init() {
    // the class initializer does the work
  }

  /** A session for building messages to this relay (no SMTP settings are needed for that). */
  public static Session create(SmtpConfig config) {
    Properties p = new Properties();
    p.put("mail.smtp.host", config.host());
    return Session.getInstance(p);
  }
}
