package dev.postbus.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One end of a filter's time range, as the operator gave it and as resolved at one moment: {@code
 * 2h} is an age (back from the moment the filter was read), {@code 2026-11-24T10:00:00Z} an
 * instant. Two runs of one replay compare by {@link #key}, what was typed: {@code --since 1d} today
 * and {@code --since 1d} tomorrow are the same replay (its group remembers how far it got), though
 * they resolve to different instants.
 *
 * @param age the age given, or null when an instant was given
 * @param at the instant it resolves to
 */
public record TimeBound(Duration age, Instant at) {

  public TimeBound {
    Objects.requireNonNull(at, "at");
  }

  /** Null for null (not given); else as {@link Times#instantOrAge}, naming {@code label}. */
  public static TimeBound parse(String text, String label, Instant now) {
    if (text == null) {
      return null;
    }
    Duration age = Times.ageOrNull(text, label);
    return age == null
        ? new TimeBound(null, Times.instantOrAge(text, label, now))
        : new TimeBound(age, now.minus(age));
  }

  /** An instant given as such. */
  public static TimeBound at(Instant at) {
    return new TimeBound(null, at);
  }

  /** What identifies this bound across runs: the age as given, or the instant. */
  public String key() {
    return age != null ? "age " + age : at.toString();
  }
}
