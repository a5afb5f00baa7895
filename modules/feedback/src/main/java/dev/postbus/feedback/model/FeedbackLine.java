package dev.postbus.feedback.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * One record of the feedback topic as a line of {@code postbus feedback tail}: when, provider,
 * type, class, job id, and only the recipient's domain (a terminal or its scrollback is no place
 * for addresses).
 */
public final class FeedbackLine {

  /** The columns, as {@link #format} fills them. */
  public static final String HEADER = row("TIME", "PROVIDER", "TYPE", "CLASS", "JOB", "DOMAIN");

  private static final ObjectMapper JSON = new ObjectMapper();

  private FeedbackLine() {}

  /** The line of a record's value, or a line saying it cannot be read (never its contents). */
  public static String format(byte[] value) {
    JsonNode n;
    try {
      n = value == null ? null : JSON.readTree(value);
    } catch (IOException e) {
      n = null;
    }
    if (n == null || !n.isObject()) {
      return "(a record that is not a feedback record)";
    }
    return row(
        time(text(n, "at")),
        text(n, "provider"),
        text(n, "type"),
        text(n, "bounceClass"),
        text(n, "jobId"),
        domain(n.path("recipient").asText(null)));
  }

  /** The part after the last {@code @}, lower-cased; {@code -} when there is none. */
  static String domain(String recipient) {
    if (recipient == null) {
      return "-";
    }
    int at = recipient.lastIndexOf('@');
    return at < 0 || at == recipient.length() - 1
        ? "-"
        : recipient.substring(at + 1).strip().toLowerCase(java.util.Locale.ROOT);
  }

  private static String time(String at) {
    try {
      return Instant.parse(at).truncatedTo(ChronoUnit.SECONDS).toString();
    } catch (DateTimeParseException e) {
      return at;
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isTextual() && !v.asText().isBlank() ? v.asText() : "-";
  }

  private static String row(
      String time, String provider, String type, String bounceClass, String job, String domain) {
    return String.format(
        "%-20s  %-8s  %-9s  %-12s  %-36s  %s", time, provider, type, bounceClass, job, domain);
  }
}
