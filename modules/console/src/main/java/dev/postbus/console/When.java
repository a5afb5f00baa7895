package dev.postbus.console;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A time as the filters take it: an ISO-8601 instant, or an age such as 2h, 30m or 7d. */
final class When {

  private static final Pattern AGE = Pattern.compile("(\\d{1,6})\\s*(m|h|d)");

  private When() {}

  /** Null for blank; an {@link IllegalArgumentException} naming {@code field} when unreadable. */
  static Instant parse(String text, String field, Instant now) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String t = text.strip();
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException notAnInstant) {
      Matcher m = AGE.matcher(t);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            field
                + ": an ISO-8601 time (2026-12-02T10:00:00Z) or an age (30m, 2h, 7d), not '"
                + t
                + "'");
      }
      long n = Long.parseLong(m.group(1));
      Duration d =
          switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
      return now.minus(d);
    }
  }
}
