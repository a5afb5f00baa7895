package dev.postbus.kafka;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Paces the retries of a reader thread that keeps failing (a topic it may not read, a broker gone):
 * waits that double from {@code first} up to {@code max}, a log line at most once per {@code
 * logEvery}, and whether the reader is up, for a health flag or a metric. Used by the reader's own
 * thread; {@link #up()} may be read from any.
 */
public final class ReaderPacing {

  /**
   * What to do after one failure.
   *
   * @param delay how long to wait before trying again
   * @param log whether to log this one
   * @param failures failures in a row, this one included
   */
  public record Failure(Duration delay, boolean log, long failures) {}

  private final Duration first;
  private final Duration max;
  private final long logEveryNanos;
  private final LongSupplier nanos;
  private long failures;
  private long lastLog;
  private boolean logged;
  private volatile boolean up = true;

  public ReaderPacing(Duration first, Duration max, Duration logEvery, LongSupplier nanos) {
    this.first = first;
    this.max = max;
    this.logEveryNanos = logEvery.toNanos();
    this.nanos = nanos;
  }

  /** From 200 ms to 30 s, a line at most once a minute. */
  public static ReaderPacing standard() {
    return new ReaderPacing(
        Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofMinutes(1), System::nanoTime);
  }

  /** One more failure: the reader is down until it reads again. */
  public Failure failed() {
    up = false;
    failures++;
    int shift = (int) Math.min(failures - 1, 20);
    Duration wait = first.multipliedBy(1L << shift);
    if (wait.compareTo(max) > 0) {
      wait = max;
    }
    long now = nanos.getAsLong();
    boolean log = !logged || now - lastLog >= logEveryNanos;
    if (log) {
      logged = true;
      lastLog = now;
    }
    return new Failure(wait, log, failures);
  }

  /** The reader read again: up, and the next failure starts from {@code first}. */
  public void succeeded() {
    failures = 0;
    up = true;
  }

  /** The reader's thread ended for good. */
  public void dead() {
    up = false;
  }

  /** Whether the reader's last attempt worked. */
  public boolean up() {
    return up;
  }
}
