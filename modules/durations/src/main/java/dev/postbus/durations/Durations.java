package dev.postbus.durations;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way Postbus reads a duration, wherever one is written (the worker's configuration, the
 * ages of the dead-letter filters in the CLI and the console): a whole number of 1 to 9 digits and
 * a unit, {@code ms}, {@code s}, {@code m}, {@code h} or {@code d} (any case, a space between
 * allowed), or ISO-8601 ({@code PT30S}, {@code P1DT2H}). Never negative. {@link #format} writes the
 * shortest of these forms, as the retry tiers' topic names carry it.
 */
public final class Durations {

  /** The accepted forms, in words, for error messages and references. */
  public static final String FORMS =
      "a whole number and a unit: 250ms, 30s, 5m, 2h, 1d; or ISO-8601 such as PT30S";

  private static final Pattern SHORT = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)");

  private Durations() {}

  /**
   * The duration {@code text} gives (surrounding spaces ignored).
   *
   * @param field what the text is the value of (a key, an option), named in the error
   * @throws IllegalArgumentException naming {@code field}, the accepted forms and the text, when it
   *     is none of them
   */
  public static Duration parse(String text, String field) {
    Duration d = text == null ? null : parseOrNull(text.strip());
    if (d == null) {
      throw new IllegalArgumentException(
          field + ": expected a duration, " + FORMS + "; got " + quoted(text));
    }
    return d;
  }

  private static Duration parseOrNull(String t) {
    if (t.startsWith("P") || t.startsWith("p")) {
      try {
        Duration d = Duration.parse(t);
        return d.isNegative() ? null : d;
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    Matcher m = SHORT.matcher(t.toLowerCase(Locale.ROOT));
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

  /**
   * The shortest form {@link #parse} reads back: {@code 250ms}, {@code 30s}, {@code 5m}, {@code
   * 2h}, {@code 1d} (whole milliseconds; a finer part is dropped).
   */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000 == 0 && ms > 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  private static String quoted(String text) {
    return text == null ? "nothing" : "'" + text.strip() + "'";
  }
}
