package dev.postbus.replay;

import dev.postbus.durations.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * A time as the dead-letter filters take it, in the CLI and in the console: an ISO-8601 instant, or
 * an age back from now ({@code 30m}, {@code 2h}, {@code 7d}, also {@code 250ms}, {@code 45s} or
 * ISO-8601's {@code PT2H}).
 */
public final class Times {

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

  /** The age {@code t} gives in the one duration grammar, or null when it is none. */
  private static Duration age(String t) {
    try {
      return Durations.parse(t, "age");
    } catch (IllegalArgumentException notAnAge) {
      return null;
    }
  }
}
