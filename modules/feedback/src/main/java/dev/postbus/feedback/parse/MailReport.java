package dev.postbus.feedback.parse;

import dev.postbus.feedback.model.Feedback;
import java.util.List;

/**
 * What a message sent to the bounce address holds: the reports of a DSN ({@code provider} {@code
 * dsn}) or an ARF complaint ({@code arf}), or nothing, with the reason it is ignored.
 *
 * @param provider {@code dsn} or {@code arf}; null when ignored
 * @param ignored why nothing is written (a label of {@code postbus_feedback_ignored_total}), or
 *     null
 */
public record MailReport(String provider, List<Feedback> reports, String ignored) {

  public MailReport {
    reports = List.copyOf(reports);
  }

  static MailReport of(String provider, List<Feedback> reports) {
    return reports.isEmpty() ? ignored("no-recipients") : new MailReport(provider, reports, null);
  }

  static MailReport ignored(String reason) {
    return new MailReport(null, List.of(), reason);
  }

  public boolean isIgnored() {
    return ignored != null;
  }
}
