package dev.postbus.feedback.verify;

import dev.postbus.feedback.model.Refusal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Replay protection for a signed timestamp: not older than the maximum age, not from the future.
 */
public final class Freshness {

  /** How far ahead of this machine's clock a timestamp may be. */
  public static final Duration MAX_AHEAD = Duration.ofMinutes(5);

  private final Clock clock;
  private final Duration maxAge;

  public Freshness(Clock clock, Duration maxAge) {
    this.clock = clock;
    this.maxAge = maxAge;
  }

  /** Refuses (403, reason {@code stale}) a timestamp outside the window. */
  public void check(Instant signedAt, String field) {
    Instant now = clock.instant();
    if (signedAt.isBefore(now.minus(maxAge)) || signedAt.isAfter(now.plus(MAX_AHEAD))) {
      throw Refusal.forbidden(
          "stale",
          field
              + ": outside the accepted window (feedback.max-age "
              + maxAge
              + " back, 5 min ahead)");
    }
  }

  /** Unix seconds (fractions allowed) as text, refused (400) when it is not one. */
  public static Instant epochSeconds(String text, String field) {
    try {
      double seconds = Double.parseDouble(text.strip());
      if (!Double.isFinite(seconds) || seconds < 0 || seconds > 1e11) {
        throw new NumberFormatException();
      }
      return Instant.ofEpochMilli((long) (seconds * 1000));
    } catch (NumberFormatException | NullPointerException e) {
      throw dev.postbus.feedback.model.Refusal.malformed(field, "not Unix seconds");
    }
  }
}
