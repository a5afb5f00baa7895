package dev.postbus.worker.ops;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free log-linear histogram of durations in microseconds: 16 buckets per power of two, so a
 * percentile is exact to within about 6%. Recording is one array increment (hot path: every
 * delivery).
 */
public final class LatencyHistogram {

  private static final int SUB = 16;
  private static final int BUCKETS = 64 * SUB;
  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

  public void record(long micros) {
    counts.incrementAndGet(index(Math.max(0, micros)));
  }

  static int index(long v) {
    if (v < SUB) {
      return (int) v;
    }
    int msb = 63 - Long.numberOfLeadingZeros(v);
    return (msb - 3) * SUB + (int) ((v >>> (msb - 4)) & (SUB - 1));
  }

  /** The upper edge of a bucket, in microseconds. */
  static long upperEdge(int index) {
    if (index < SUB) {
      return index;
    }
    int msb = index / SUB + 3;
    long sub = index % SUB;
    return ((SUB + sub + 1) << (msb - 4)) - 1;
  }

  public long count() {
    long n = 0;
    for (int i = 0; i < BUCKETS; i++) {
      n += counts.get(i);
    }
    return n;
  }

  /**
   * The duration below which {@code fraction} (0..1) of the recorded values fall; zero when empty.
   */
  public Duration percentile(double fraction) {
    long total = count();
    if (total == 0) {
      return Duration.ZERO;
    }
    long rank = (long) Math.ceil(fraction * total);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts.get(i);
      if (seen >= rank && seen > 0) {
        return Duration.ofNanos(upperEdge(i) * 1000);
      }
    }
    return Duration.ofNanos(upperEdge(BUCKETS - 1) * 1000);
  }
}
