package dev.postbus.worker.relay;

import com.google.common.util.concurrent.RateLimiter;

/**
 * Permits at a rate: Guava's smooth {@link RateLimiter} in the worker, one handing out permits by
 * hand in tests (Guava paces on the system clock, which a test cannot move).
 */
interface Pacer {

  /** Takes a permit if one is free now; never waits. */
  boolean tryAcquire();

  /** A new rate, in permits per second (positive). */
  void setRate(double perSecond);

  static Pacer guava(double perSecond) {
    RateLimiter limiter = RateLimiter.create(perSecond);
    return new Pacer() {
      @Override
      public boolean tryAcquire() {
        return limiter.tryAcquire();
      }

      @Override
      public void setRate(double rate) {
        limiter.setRate(rate);
      }
    };
  }
}
