package dev.postbus.feedback.verify;

import java.time.Clock;
import java.time.Duration;

/**
 * At most so many certificate fetches per period (a token bucket: a burst of the whole allowance,
 * then one more each period / allowance), so that messages naming new certificate URLs cannot make
 * the receiver fetch without bound.
 */
final class FetchBudget {

  private final int allowance;
  private final long periodMillis;
  private final Clock clock;
  private double tokens;
  private long last;

  FetchBudget(int allowance, Duration period, Clock clock) {
    this.allowance = allowance;
    this.periodMillis = period.toMillis();
    this.clock = clock;
    this.tokens = allowance;
    this.last = clock.millis();
  }

  /** True, and one fetch fewer left, when one is left now. */
  synchronized boolean take() {
    long now = clock.millis();
    if (now > last) {
      tokens = Math.min(allowance, tokens + (double) (now - last) * allowance / periodMillis);
      last = now;
    }
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}
