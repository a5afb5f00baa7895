package dev.postbus.replay;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A time as the dead-letter filters take it, in the CLI and in the console: an ISO-8601 instant, or
 * an age back from now ({@code 30m}, {@code 2h}, {@code 7d}, also {@code 250ms}, {@code 45s} or
 * ISO-8601's {@code PT2H}).
 */
public final class Times {

  private static final Pattern AGE = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)");
  private static final Duration LONGEST_AGE = Duration.ofDays(3650);

  private Times() {}

  /**
   * Null for null (not given); an {@link IllegalArgumentException} whose message starts with {@code
   * label} when the text is neither an instant nor an age.
   */
  public static Instant instantOrAge(String text, String label, Instant now) {
    if (text == null) {
      return null;
    }
    String t = text.strip();
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException notAnInstant) {
      Duration age = age(t);
      if (age == null || age.isNegative() || age.compareTo(LONGEST_AGE) > 0) {
        throw new IllegalArgumentException(
            label
                + " must be an ISO-8601 time (2026-11-24T10:00:00Z) or an age "
                + "(2h, 30m, 7d); got '"
                + t
                + "'");
      }
      return now.minus(age);
    }
  }

  /**
   * The age {@code text} gives ({@code 2h}, {@code PT2H}), or null when it is an instant; an {@link
   * IllegalArgumentException} naming {@code label} when it is neither.
   */
  static Duration ageOrNull(String text, String label) {
    String t = text.strip();
    try {
      Instant.parse(t);
      return null;
    } catch (DateTimeParseException notAnInstant) {
      Instant now = Instant.EPOCH.plus(LONGEST_AGE);
      return Duration.between(instantOrAge(t, label, now), now);
    }
  }

  private static Duration age(String t) {
    if (t.startsWith("P") || t.startsWith("p")) {
      try {
        return Duration.parse(t);
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    Matcher m = AGE.matcher(t.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }
}
