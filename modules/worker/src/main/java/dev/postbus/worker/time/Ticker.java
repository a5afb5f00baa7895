package dev.postbus.worker.time;

/**
 * A source of nanoseconds for measuring elapsed time, as Caffeine's {@code Ticker}: {@link #SYSTEM}
 * in the worker, a hand-moved one in tests, so that rate ramps and timers are tested without
 * waiting for the clock.
 */
@FunctionalInterface
public interface Ticker {

  /** {@link System#nanoTime()}. */
  Ticker SYSTEM = System::nanoTime;

  /** Nanoseconds from an arbitrary origin; only differences mean anything. */
  long read();
}
