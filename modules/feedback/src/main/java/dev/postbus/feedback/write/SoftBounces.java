package dev.postbus.feedback.write;

import dev.postbus.suppression.Addresses;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Soft bounces (transient bounces) per recipient within a window, as read from the feedback topic:
 * the count that puts an address on the suppression list at {@code limit}. Keeps, per recipient (by
 * its 64-bit hash, never the address), the times and event ids of its last {@code limit} reports,
 * so a repeat of a report (the same provider event written by two replicas) counts once.
 *
 * <p>About 170 bytes per recipient at a limit of 3 (16 more per report kept beyond), at most {@code
 * maxRecipients} of them: when full, the recipient reported least recently is forgotten (counted in
 * {@link #evicted()}), so its count starts again. Thread-safe; the time is the given clock's.
 */
public final class SoftBounces {

  /** Reports between two sweeps of recipients whose reports all left the window. */
  static final int SWEEP_EVERY = 4096;

  private final int limit;
  private final Duration window;
  private final int maxRecipients;
  private final Clock clock;
  private final Map<Long, Seen> byRecipient;
  private int sinceSweep;
  private long evicted;

  /**
   * @param limit soft bounces within {@code window} that suppress (0: never)
   * @param maxRecipients the most recipients kept (feedback.soft-bounce.max-recipients)
   */
  public SoftBounces(int limit, Duration window, int maxRecipients, Clock clock) {
    this.limit = limit;
    this.window = window;
    this.maxRecipients = maxRecipients;
    this.clock = clock;
    this.byRecipient =
        new LinkedHashMap<>(16, 0.75f, true) { // by last report: the eldest leaves first
          @Override
          protected boolean removeEldestEntry(Map.Entry<Long, Seen> eldest) {
            if (size() <= SoftBounces.this.maxRecipients) {
              return false;
            }
            evicted++;
            return true;
          }
        };
  }

  /**
   * Counts a soft bounce of {@code recipient} reported {@code at}; returns its soft bounces within
   * the window now, this one included, or 0 when this one does not count (a repeat of {@code
   * eventKey}, older than the window, or counting is off).
   *
   * @param eventKey the provider and its event id, or null when the report has none
   */
  public synchronized int count(String recipient, String eventKey, Instant at) {
    Instant since = clock.instant().minus(window);
    if (limit == 0 || !at.isAfter(since)) {
      return 0;
    }
    if (++sinceSweep >= SWEEP_EVERY) {
      sweep();
    }
    Seen seen = byRecipient.computeIfAbsent(Addresses.hash(recipient), k -> new Seen(limit));
    if (eventKey != null && seen.has(eventKey.hashCode())) {
      return 0;
    }
    seen.add(at.toEpochMilli(), eventKey == null ? 0 : eventKey.hashCode(), eventKey != null);
    return seen.countAfter(since.toEpochMilli());
  }

  /** Whether a count returned by {@link #count} puts the address on the list. */
  public boolean reached(int count) {
    return limit > 0 && count >= limit;
  }

  /** Forgets the recipients whose reports all left the window. */
  public synchronized void sweep() {
    sinceSweep = 0;
    long since = clock.instant().minus(window).toEpochMilli();
    byRecipient.values().removeIf(s -> s.countAfter(since) == 0);
  }

  /** Recipients forgotten before their reports left the window, because the cap was reached. */
  public synchronized long evicted() {
    return evicted;
  }

  /** Recipients with a soft bounce in memory. */
  public synchronized int tracked() {
    return byRecipient.size();
  }

  /** The last {@code limit} reports of one recipient: a ring of times and event id hashes. */
  private static final class Seen {
    private final long[] times;
    private final int[] events;
    private final boolean[] hasEvent;

    Seen(int limit) {
      times = new long[limit];
      events = new int[limit];
      hasEvent = new boolean[limit];
      java.util.Arrays.fill(times, Long.MIN_VALUE);
    }

    boolean has(int event) {
      for (int i = 0; i < events.length; i++) {
        if (hasEvent[i] && events[i] == event) {
          return true;
        }
      }
      return false;
    }

    /** Replaces the oldest report (only the newest {@code limit} can matter). */
    void add(long time, int event, boolean withEvent) {
      int oldest = 0;
      for (int i = 1; i < times.length; i++) {
        if (times[i] < times[oldest]) {
          oldest = i;
        }
      }
      times[oldest] = time;
      events[oldest] = event;
      hasEvent[oldest] = withEvent;
    }

    int countAfter(long since) {
      int n = 0;
      for (long t : times) {
        if (t > since) {
          n++;
        }
      }
      return n;
    }
  }
}
