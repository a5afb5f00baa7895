package dev.postbus.feedback.parse;

import dev.postbus.feedback.model.BounceClass;
import dev.postbus.feedback.model.Feedback;
import dev.postbus.feedback.model.FeedbackType;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * Reads a message sent to the bounce address: a delivery status notification ({@code
 * multipart/report; report-type=delivery-status}, RFC 3464) gives one report per recipient block
 * whose Action is failed, delayed or delivered; an ARF complaint ({@code
 * report-type=feedback-report}, RFC 5965) one complaint per reported recipient. Anything else is
 * ignored. The job is the VERP token's when there is one, else the {@code X-Postbus-Job} header or
 * Postbus Message-ID of the returned message or headers.
 */
public final class MailReports {

  private static final Session SESSION = Session.getInstance(new Properties());
  private static final Set<String> RETURNED =
      Set.of("message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers");

  private MailReports() {}

  /**
   * A part's body, decoded by its Content-Transfer-Encoding even for message/* types (Jakarta Mail
   * leaves those encoded, but MTAs do send quoted-printable or base64 report parts).
   */
  private static InputStream decoded(BodyPart part) throws MessagingException, IOException {
    String encoding = ((MimeBodyPart) part).getEncoding();
    InputStream raw = ((MimeBodyPart) part).getRawInputStream();
    return encoding == null ? raw : MimeUtility.decode(raw, encoding.strip());
  }

  /**
   * @param verpJobId the job a verified VERP recipient named, or null
   * @param receivedAt when the message arrived (the time of a report that gives none)
   */
  public static MailReport parse(byte[] message, String verpJobId, Instant receivedAt) {
    try {
      MimeMessage m = new MimeMessage(SESSION, new ByteArrayInputStream(message));
      ContentType type = new ContentType(m.getContentType());
      if (!type.match("multipart/report")) {
        return MailReport.ignored("not-a-report");
      }
      String reportType = ReportFields.lower(type.getParameter("report-type"));
      MimeMultipart parts = new MimeMultipart(m.getDataHandler().getDataSource());
      InternetHeaders returned = returnedHeaders(parts);
      String jobId = jobId(verpJobId, returned);
      String eventId = m.getMessageID();
      if ("delivery-status".equals(reportType)) {
        List<InternetHeaders> fields =
            fields(parts, "message/delivery-status", "message/global-delivery-status");
        return fields == null
            ? MailReport.ignored("no-report-part")
            : MailReport.of("dsn", dsn(fields, returned, jobId, eventId, receivedAt));
      }
      if ("feedback-report".equals(reportType)) {
        List<InternetHeaders> fields = fields(parts, "message/feedback-report");
        return fields == null
            ? MailReport.ignored("no-report-part")
            : arf(fields.get(0), returned, jobId, eventId, receivedAt);
      }
      return MailReport.ignored("other-report-type");
    } catch (MessagingException | IOException | RuntimeException e) {
      return MailReport.ignored("unreadable");
    }
  }

  private static List<Feedback> dsn(
      List<InternetHeaders> fields,
      InternetHeaders returned,
      String jobId,
      String eventId,
      Instant receivedAt) {
    InternetHeaders perMessage = fields.get(0);
    Instant arrived = ReportFields.date(ReportFields.first(perMessage, "Arrival-Date"));
    String raw = raw(fields, returned);
    List<Feedback> out = new ArrayList<>();
    for (InternetHeaders r : fields.subList(1, fields.size())) {
      FeedbackType type = action(ReportFields.lower(ReportFields.first(r, "Action")));
      if (type == null) {
        continue;
      }
      String status = status(ReportFields.first(r, "Status"));
      // the address Postbus sent to (Original-Recipient, when the MTA kept it) is the one to
      // suppress; Final-Recipient may be where an alias or forward led
      String recipient =
          ReportFields.address(
              JobIds.first(
                  ReportFields.first(r, "Original-Recipient"),
                  ReportFields.first(r, "Final-Recipient")));
      Instant at =
          ReportFields.firstKnown(
              ReportFields.date(ReportFields.first(r, "Last-Attempt-Date")), arrived, receivedAt);
      out.add(
          new Feedback(
              type,
              type == FeedbackType.BOUNCE ? bounceClass(status) : null,
              recipient,
              status,
              ReportFields.first(r, "Diagnostic-Code"),
              jobId,
              null,
              "dsn",
              eventId,
              at,
              raw));
    }
    return out;
  }

  private static MailReport arf(
      InternetHeaders report,
      InternetHeaders returned,
      String jobId,
      String eventId,
      Instant receivedAt) {
    String feedbackType = ReportFields.lower(ReportFields.first(report, "Feedback-Type"));
    if (feedbackType == null
        || !Set.of("abuse", "fraud", "virus", "other").contains(feedbackType)) {
      return MailReport.ignored("not-a-complaint");
    }
    List<String> recipients = new ArrayList<>();
    for (String r : ReportFields.all(report, "Original-Rcpt-To")) {
      String a = ReportFields.address(r);
      if (a != null) {
        recipients.add(a);
      }
    }
    if (recipients.isEmpty()) {
      String to = ReportFields.address(ReportFields.first(returned, "To"));
      if (to != null && !to.contains(",")) {
        recipients.add(to);
      }
    }
    String agent = ReportFields.first(report, "User-Agent");
    String diagnostic = "feedback-type " + feedbackType + (agent == null ? "" : " from " + agent);
    Instant at =
        ReportFields.firstKnown(
            ReportFields.date(ReportFields.first(report, "Arrival-Date")), receivedAt);
    String raw = raw(List.of(report), returned);
    List<Feedback> out = new ArrayList<>();
    for (String r : recipients) {
      out.add(
          new Feedback(
              FeedbackType.COMPLAINT,
              null,
              r,
              null,
              diagnostic,
              jobId,
              null,
              "arf",
              eventId,
              at,
              raw));
    }
    return MailReport.of("arf", out);
  }

  private static FeedbackType action(String action) {
    if (action == null) {
      return null;
    }
    return switch (action) {
      case "failed" -> FeedbackType.BOUNCE;
      case "delayed" -> FeedbackType.DELAY;
      case "delivered", "relayed", "expanded" -> FeedbackType.DELIVERY;
      default -> null;
    };
  }

  /** {@code 5.1.1 (comment)} → {@code 5.1.1}. */
  private static String status(String field) {
    return field == null ? null : field.split("[\\s(]", 2)[0];
  }

  private static BounceClass bounceClass(String status) {
    if (status != null && status.startsWith("5.")) {
      return BounceClass.PERMANENT;
    }
    if (status != null && status.startsWith("4.")) {
      return BounceClass.TRANSIENT;
    }
    return BounceClass.UNDETERMINED;
  }

  private static String jobId(String verpJobId, InternetHeaders returned) {
    String verp = JobIds.valid(verpJobId);
    if (verp != null || returned == null) {
      return verp;
    }
    return JobIds.first(
        JobIds.valid(ReportFields.first(returned, JobIds.HEADER)),
        JobIds.fromMessageId(ReportFields.first(returned, "Message-ID"), null));
  }

  /** The field groups of the first part of one of these types, or null when there is none. */
  private static List<InternetHeaders> fields(MimeMultipart parts, String... types)
      throws MessagingException, IOException {
    BodyPart part = part(parts, Set.of(types));
    if (part == null) {
      return null;
    }
    try (InputStream in = decoded(part)) {
      List<InternetHeaders> groups = ReportFields.groups(in);
      return groups.isEmpty() ? null : groups;
    }
  }

  /** The header block of the returned message or headers part, or null. */
  private static InternetHeaders returnedHeaders(MimeMultipart parts)
      throws MessagingException, IOException {
    BodyPart part = part(parts, RETURNED);
    if (part == null) {
      return null;
    }
    try (InputStream in = decoded(part)) {
      return new InternetHeaders(in);
    }
  }

  private static BodyPart part(MimeMultipart parts, Set<String> types) throws MessagingException {
    for (int i = 0; i < parts.getCount(); i++) {
      BodyPart p = parts.getBodyPart(i);
      String t = ReportFields.lower(new ContentType(p.getContentType()).getBaseType());
      if (types.contains(t)) {
        return p;
      }
    }
    return null;
  }

  /** The report's fields and the returned headers (never the returned body). */
  private static String raw(List<InternetHeaders> fields, InternetHeaders returned) {
    StringBuilder b = new StringBuilder();
    for (InternetHeaders h : fields) {
      b.append(ReportFields.text(h)).append('\n');
    }
    if (returned != null) {
      b.append(ReportFields.text(returned));
    }
    return b.toString();
  }
}
