package dev.postbus.worker.delivery;

import dev.postbus.job.VerpToken;
import dev.postbus.worker.config.Provider;
import dev.postbus.worker.config.ReturnPath;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The envelope sender of a message, chosen for the relay it goes to at send time (again on
 * failover): the job's VERP return path on a plain MTA ({@link Provider#NONE}), the job's {@code
 * from} on a provider (SES and the others refuse a MAIL FROM they have not verified, and their
 * bounces come back through their own feedback) or without a return path. A job whose VERP address
 * would exceed RFC 5321's limits goes with its {@code from} too ({@code X-Postbus-Job} still names
 * it): counted, and said once in the log. Thread-safe.
 */
public final class EnvelopeSender {

  private static final Logger log = LoggerFactory.getLogger(EnvelopeSender.class);

  private final ReturnPath returnPath;
  private final AtomicBoolean toldTooLong = new AtomicBoolean();

  /**
   * @param returnPath the VERP return path, or null for the job's {@code from} everywhere
   */
  public EnvelopeSender(ReturnPath returnPath) {
    this.returnPath = returnPath;
  }

  /**
   * Sets the envelope sender of {@code mime} for a relay of {@code provider}; false when VERP was
   * due but the job's address would be too long (the job's {@code from} is used).
   */
  boolean setFor(MimeMessage mime, String jobId, Provider provider) throws MessagingException {
    if (!(mime instanceof SMTPMessage m)) {
      return true;
    }
    if (returnPath == null || provider != Provider.NONE) {
      m.setEnvelopeFrom(null);
      return true;
    }
    String address = returnPath.address(jobId);
    m.setEnvelopeFrom(address);
    if (address == null && toldTooLong.compareAndSet(false, true)) {
      log.warn(
          "a job's VERP return path would exceed RFC 5321's limits (local part over {} octets, or"
              + " address over {}): such jobs go with their from address, correlated by"
              + " X-Postbus-Job; postbus_verp_skipped_total counts them",
          VerpToken.MAX_LOCAL_PART,
          VerpToken.MAX_ADDRESS);
    }
    return address != null;
  }
}
