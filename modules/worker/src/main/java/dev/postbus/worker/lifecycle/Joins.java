package dev.postbus.worker.lifecycle;

import dev.postbus.worker.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Waits for several threads to end under one deadline: threads that never end hold the caller for
 * the time given once, not once per thread.
 */
final class Joins {

  /** Waits up to {@code millis} (at least 1) for {@code t} to end, as {@link Thread#join(long)}. */
  @FunctionalInterface
  interface Joiner {
    void join(Thread t, long millis) throws InterruptedException;
  }

  static final Joins SYSTEM = new Joins(Ticker.SYSTEM, Thread::join);

  private final Ticker ticker;
  private final Joiner joiner;

  Joins(Ticker ticker, Joiner joiner) {
    this.ticker = ticker;
    this.joiner = joiner;
  }

  /** Waits for {@code threads} up to {@code total} in all; returns those still alive. */
  List<Thread> all(List<Thread> threads, Duration total) throws InterruptedException {
    long deadline = ticker.read() + total.toNanos();
    List<Thread> late = new ArrayList<>();
    for (Thread t : threads) {
      long left = deadline - ticker.read();
      if (left > 0) {
        joiner.join(t, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))); // join(0) waits forever
      }
      if (t.isAlive()) {
        late.add(t);
      }
    }
    return late;
  }
}
