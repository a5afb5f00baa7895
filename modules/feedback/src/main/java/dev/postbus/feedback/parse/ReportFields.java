package dev.postbus.feedback.parse;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MailDateFormat;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;

/**
 * The fields of a report part (message/delivery-status, message/feedback-report) or a quoted header
 * block: groups of header fields separated by blank lines, read with Jakarta Mail's header parser
 * (so folded lines are unfolded).
 */
final class ReportFields {

  private ReportFields() {}

  /** Every non-empty group of fields, in order. */
  static List<InternetHeaders> groups(InputStream body) throws MessagingException, IOException {
    BufferedInputStream in = new BufferedInputStream(body);
    List<InternetHeaders> groups = new ArrayList<>();
    while (true) {
      in.mark(1);
      if (in.read() < 0) {
        return groups;
      }
      in.reset();
      InternetHeaders h = new InternetHeaders(in);
      if (h.getAllHeaders().hasMoreElements()) {
        groups.add(h);
      }
    }
  }

  /** The first value of a field, unfolded and stripped; null when absent or blank. */
  static String first(InternetHeaders h, String name) {
    String[] values = h == null ? null : h.getHeader(name);
    if (values == null || values.length == 0) {
      return null;
    }
    String v = values[0].replaceAll("\\r?\\n[ \\t]+", " ").strip();
    return v.isEmpty() ? null : v;
  }

  /** Every value of a field (Original-Rcpt-To may repeat). */
  static List<String> all(InternetHeaders h, String name) {
    String[] values = h == null ? null : h.getHeader(name);
    return values == null ? List.of() : List.of(values);
  }

  /**
   * The address of a typed field ({@code rfc822; b@example.com}, as Final-Recipient), or of a plain
   * one ({@code <b@example.com>}); null when there is none.
   */
  static String address(String field) {
    if (field == null) {
      return null;
    }
    String v = field;
    int semicolon = v.indexOf(';');
    if (semicolon >= 0) {
      v = v.substring(semicolon + 1);
    }
    v = v.strip();
    if (v.startsWith("<") && v.endsWith(">")) {
      v = v.substring(1, v.length() - 1).strip();
    }
    return v.isEmpty() || v.indexOf('@') <= 0 ? null : v;
  }

  /** An RFC 5322 date, or null when absent or unreadable. */
  static Instant date(String field) {
    if (field == null) {
      return null;
    }
    try {
      return new MailDateFormat().parse(field).toInstant();
    } catch (ParseException e) {
      return null;
    }
  }

  /** The first of the times given that is known (not null). */
  static Instant firstKnown(Instant... candidates) {
    for (Instant c : candidates) {
      if (c != null) {
        return c;
      }
    }
    return null;
  }

  static String lower(String v) {
    return v == null ? null : v.toLowerCase(Locale.ROOT);
  }

  /** The fields as text (for the record's raw payload). */
  static String text(InternetHeaders h) {
    StringBuilder b = new StringBuilder();
    for (Enumeration<String> e = h.getAllHeaderLines(); e.hasMoreElements(); ) {
      b.append(e.nextElement()).append('\n');
    }
    return b.toString();
  }
}
