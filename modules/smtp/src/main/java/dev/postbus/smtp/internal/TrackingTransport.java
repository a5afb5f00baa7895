package dev.postbus.smtp.internal;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import java.io.IOException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Angus Mail's transport, told when the final {@code .} of DATA goes out: a failure after that point is
 * in doubt (the server may have accepted the message), a failure before it is not.
 */
public final class TrackingTransport extends SMTPTransport {

  private volatile boolean terminatorSent;
  private Runnable beforeFinalDot = () -> {};

  public TrackingTransport(Session session) {
    super(session, new URLName("smtp", null, -1, null, null, null));
  }

  /** Runs on the sending thread just before the final {@code .} of every message (see {@link dev.postbus.smtp.SmtpConnection#beforeFinalDot}). */
  public void beforeFinalDot(Runnable gate) {
    this.beforeFinalDot = gate;
  }

  /** Call before each message. */
  public void resetTracking() {
    terminatorSent = false;
  }

  /** True once the end-of-data marker has been (or was being) written for the current message. */
  public boolean terminatorSent() {
    return terminatorSent;
  }

  @Override
  protected void finishData() throws IOException, MessagingException {
    beforeFinalDot.run();
    // Set before writing: if the write itself breaks, some of the marker may have reached the server.
    terminatorSent = true;
    super.finishData();
  }
}
