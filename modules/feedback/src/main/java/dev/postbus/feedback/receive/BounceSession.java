package dev.postbus.feedback.receive;

import dev.postbus.feedback.config.SmtpSettings;
import dev.postbus.feedback.model.Refusal;
import dev.postbus.feedback.parse.MailReport;
import dev.postbus.feedback.parse.MailReports;
import dev.postbus.job.VerpToken;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;

/**
 * One SMTP transaction on the bounce listener: recipients outside the bounce and VERP domains are
 * refused (550), as is a VERP recipient whose token does not verify; the message is bounded (552),
 * parsed, and answered 250 only once Kafka acknowledged what it holds (451 otherwise, so the sender
 * retries). Mail that holds no report is taken and counted. Nothing here logs an address or a body.
 */
final class BounceSession implements MessageHandler {

  static final String PROVIDER = "smtp";

  private static final Logger log = LoggerFactory.getLogger(BounceSession.class);

  private final SmtpSettings settings;
  private final VerpToken verp;
  private final Intake intake;
  private final FeedbackMetrics metrics;
  private final Clock clock;
  private String verpJobId;

  BounceSession(
      SmtpSettings settings, VerpToken verp, Intake intake, FeedbackMetrics metrics, Clock clock) {
    this.settings = settings;
    this.verp = verp;
    this.intake = intake;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public void from(String sender) {
    // DSNs come from the null sender; ARF reports from anyone: the content is what counts.
  }

  @Override
  public void recipient(String recipient) throws RejectException {
    int at = recipient.lastIndexOf('@');
    String domain = at < 0 ? "" : recipient.substring(at + 1).toLowerCase(Locale.ROOT);
    boolean verpDomain = settings.verp() && domain.equals(settings.returnPathDomain());
    if (!verpDomain && !domain.equals(settings.bounceDomain())) {
      refuse("domain", 550, "5.1.1 no such bounce address here");
    }
    if (verpDomain) {
      VerpToken.Check check = verp.check(recipient.substring(0, at));
      if (check.status() == VerpToken.Status.FORGED) {
        refuse("verp", 550, "5.7.1 the return path's token does not verify");
      }
      if (check.status() == VerpToken.Status.VALID && verpJobId == null) {
        verpJobId = check.jobId();
      }
    }
  }

  @Override
  public String data(InputStream data) throws RejectException, IOException {
    byte[] message = data.readNBytes(settings.maxMessage() + 1);
    if (message.length > settings.maxMessage()) {
      refuse("too-large", 552, "5.3.4 larger than feedback.smtp-max-message");
    }
    MailReport report = MailReports.parse(message, verpJobId, clock.instant());
    if (report.isIgnored()) {
      metrics.ignored(PROVIDER, report.ignored());
      log.info(
          "feedback/smtp: a message without a report taken and ignored ({})", report.ignored());
      return null;
    }
    try {
      intake.take(report.provider(), report.reports());
    } catch (Refusal r) {
      metrics.rejected(report.provider(), r.reason());
      log.info(
          "feedback/smtp: {} not written, answered 451: {}", report.provider(), r.getMessage());
      throw new RejectException(451, "4.3.0 not recorded yet; try again later");
    }
    return null;
  }

  @Override
  public void done() {
    verpJobId = null;
  }

  private void refuse(String reason, int code, String text) throws RejectException {
    metrics.rejected(PROVIDER, reason);
    log.info("feedback/smtp: refused with {} ({})", code, reason);
    throw new RejectException(code, text);
  }
}
