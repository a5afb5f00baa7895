package dev.postbus.smtp;

import dev.postbus.smtp.internal.Extensions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one relay offered in its EHLO reply and how Postbus sends to it, shared by the relay's
 * connections: logged at INFO the first time and whenever it changes (not at every connection), and
 * shown by the worker's readiness report. Extension keywords name no person, so they are safe for
 * logs.
 */
public final class RelayOffer {

  private static final Logger log = LoggerFactory.getLogger(RelayOffer.class);

  private final String relay;
  private volatile String extensions;
  private volatile String mode;
  private volatile boolean writesAhead;

  public RelayOffer(String relay) {
    this.relay = relay;
  }

  void update(Extensions offered, String sendMode, boolean ahead) {
    writesAhead = ahead;
    String summary = offered.summary();
    if (!summary.equals(extensions) || !sendMode.equals(mode)) {
      synchronized (this) {
        if (!summary.equals(extensions) || !sendMode.equals(mode)) {
          extensions = summary;
          mode = sendMode;
          log.info("relay {} offers {}; sending {}", relay, summary, sendMode);
        }
      }
    }
  }

  /**
   * The EHLO keywords, e.g. "8BITMIME, CHUNKING, PIPELINING, SIZE 10240000"; null before the first
   * connection.
   */
  public String extensions() {
    return extensions;
  }

  /**
   * Whether a sender that already holds its next message should name its envelope ({@link
   * SmtpConnection#send( jakarta.mail.internet.MimeMessage, jakarta.mail.Address[], Envelope)}):
   * true when the relay gets pipelined DATA.
   */
  public boolean writesAhead() {
    return writesAhead;
  }

  /** "pipelined BDAT", "pipelined DATA", "lock-step DATA"...; null before the first connection. */
  public String mode() {
    return mode;
  }
}
