package dev.postbus.worker.reputation;

import com.carrotsearch.hppc.LongByteHashMap;
import dev.postbus.durations.Durations;
import dev.postbus.suppression.Addresses;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recipients this worker sent in the last {@code window} (a day by default) and what was
 * reported about them later (bounces and complaints read from the feedback topic): the bounce rate
 * (refused at once or reported later) and the complaint rate of the same recipients. A report
 * counts only for a recipient of a job this worker sent in the window, once per kind, so every
 * worker of a group reading the whole topic counts each report once, for the worker that sent it.
 *
 * <p>The window is cut in {@link #SLICES} slices by send time; a slice holds the 64-bit hashes of
 * its recipients (job id and address) and its counts, and leaves whole with its reports. About 12
 * to 24 bytes per recipient kept (a hash map of 64-bit keys grows by doubling), at most {@code
 * maxRecipients} of them: when full, the oldest slice leaves early (counted in {@link
 * #droppedEarly()}, logged once), so the window is shorter than asked. Thread-safe; the time is the
 * given clock's.
 */
public final class FeedbackWindow {

  private static final Logger LOG = LoggerFactory.getLogger(FeedbackWindow.class);

  /** What was reported about a recipient after the relay accepted it. */
  public enum Kind {
    BOUNCE(1),
    COMPLAINT(2);

    final byte bit;

    Kind(int bit) {
      this.bit = (byte) bit;
    }
  }

  static final int SLICES = 24;

  /**
   * Complaints a trip needs besides the rate: with a small guard.window one person's complaint
   * would be a high rate, and it pauses the whole group.
   */
  static final int MIN_COMPLAINTS = 3;

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("the JVM has no SHA-256", e);
            }
          });

  private final Duration window;
  private final long sliceMillis;
  private final int minSends;
  private final double maxBounceRate;
  private final double maxComplaintRate;
  private final int maxRecipients;
  private final Clock clock;
  private final ArrayDeque<Slice> slices = new ArrayDeque<>(); // the newest last
  private long retained;
  private long droppedEarly;

  /**
   * @param minSends recipients the window must hold before it is judged
   * @param maxBounceRate a bounce rate over it trips (0: off)
   * @param maxComplaintRate a complaint rate at or over it trips (0: off)
   * @param maxRecipients the most recipients kept (guard.feedback-max-recipients)
   */
  public FeedbackWindow(
      Duration window,
      int minSends,
      double maxBounceRate,
      double maxComplaintRate,
      int maxRecipients,
      Clock clock) {
    this.window = window;
    this.sliceMillis = Math.max(1, window.toMillis() / SLICES);
    this.minSends = minSends;
    this.maxBounceRate = maxBounceRate;
    this.maxComplaintRate = maxComplaintRate;
    this.maxRecipients = maxRecipients;
    this.clock = clock;
  }

  /**
   * Records one send: {@code accepted} recipients of job {@code jobId}, and those refused for good.
   */
  public void sent(String jobId, Collection<String> accepted, int refusedPermanently) {
    long[] keys =
        jobId == null ? new long[0] : accepted.stream().mapToLong(a -> key(jobId, a)).toArray();
    synchronized (this) {
      Slice s = current();
      makeRoom(keys.length);
      for (long k : keys) {
        if (retained >= maxRecipients) {
          dropped(1); // the current slice alone is full
        } else {
          int before = s.keys.size();
          s.keys.put(k, (byte) 0);
          retained += s.keys.size() - before;
        }
      }
      s.sent += accepted.size() + refusedPermanently;
      s.bounced += refusedPermanently;
    }
  }

  /**
   * A bounce or complaint reported later about {@code recipient} of job {@code jobId}: counted when
   * this worker sent it in the window and it was not counted before. Returns whether it counted.
   */
  public boolean reported(String jobId, String recipient, Kind kind) {
    long key = key(jobId, recipient);
    synchronized (this) {
      return mark(key, kind);
    }
  }

  private boolean mark(long key, Kind kind) {
    expire();
    for (Slice s : slices) {
      int slot = s.keys.indexOf(key);
      if (s.keys.indexExists(slot)) {
        byte flags = s.keys.indexGet(slot);
        if ((flags & kind.bit) != 0) {
          return false;
        }
        s.keys.indexReplace(slot, (byte) (flags | kind.bit));
        if (kind == Kind.BOUNCE) {
          s.bounced++;
        } else {
          s.complained++;
        }
        s.reported++;
        return true;
      }
    }
    return false;
  }

  /**
   * Why delivery must pause, or null: judged once at least {@code minSends} recipients were sent in
   * the window and a report came later for one of them.
   */
  public synchronized String verdict() {
    expire();
    long sends = 0;
    long reported = 0;
    for (Slice s : slices) {
      sends += s.sent;
      reported += s.reported;
    }
    if (sends < minSends || reported == 0) {
      return null;
    }
    double bounces = bounceRate();
    if (maxBounceRate > 0 && bounces > maxBounceRate) {
      return String.format(
          Locale.ROOT,
          "bounce rate %.1f%% of the %d recipients sent within %s, bounces reported later"
              + " included (guard.max-bounce-rate %.1f%%)",
          bounces * 100,
          sends,
          Durations.format(window),
          maxBounceRate * 100);
    }
    double complaints = complaintRate();
    long complained = slices.stream().mapToLong(s -> s.complained).sum();
    if (maxComplaintRate > 0 && complained >= MIN_COMPLAINTS && complaints >= maxComplaintRate) {
      return String.format(
          Locale.ROOT,
          "complaint rate %.2f%% of the %d recipients sent within %s"
              + " (guard.max-complaint-rate %.2f%%)",
          complaints * 100,
          sends,
          Durations.format(window),
          maxComplaintRate * 100);
    }
    return null;
  }

  /** Recipients sent in the window. */
  public synchronized long sends() {
    expire();
    return slices.stream().mapToLong(s -> s.sent).sum();
  }

  /**
   * Share of the window's recipients refused for good, at once or reported later (0 when empty).
   */
  public synchronized double bounceRate() {
    long sends = sends();
    return sends == 0 ? 0 : (double) slices.stream().mapToLong(s -> s.bounced).sum() / sends;
  }

  /** Share of the window's recipients that complained (0 when empty). */
  public synchronized double complaintRate() {
    long sends = sends();
    return sends == 0 ? 0 : (double) slices.stream().mapToLong(s -> s.complained).sum() / sends;
  }

  /** Forgets everything: a fresh window (after an operator resumed). */
  public synchronized void clear() {
    slices.clear();
    retained = 0;
  }

  private Slice current() {
    expire();
    long start = clock.millis() / sliceMillis * sliceMillis;
    Slice last = slices.peekLast();
    if (last == null || last.start < start) {
      last = new Slice(start);
      slices.addLast(last);
    }
    return last;
  }

  /** Drops the slices whose every send is older than the window. */
  private void expire() {
    long oldest = clock.millis() - window.toMillis();
    while (!slices.isEmpty() && slices.peekFirst().start + sliceMillis <= oldest) {
      retained -= slices.removeFirst().keys.size();
    }
  }

  /** Drops the oldest slices early (never the current one) until {@code more} keys fit the cap. */
  private void makeRoom(int more) {
    while (retained + more > maxRecipients && slices.size() > 1) {
      int gone = slices.removeFirst().keys.size();
      retained -= gone;
      dropped(gone);
    }
  }

  private void dropped(long recipients) {
    if (droppedEarly == 0 && recipients > 0) {
      LOG.warn(
          "the feedback guard keeps at most {} recipients (guard.feedback-max-recipients): the"
              + " oldest sends leave before guard.feedback-window {} ends, so the rates judge a"
              + " shorter window; raise the cap (and the heap) or shorten the window. Said once;"
              + " counted in postbus_guard_feedback_dropped_total",
          maxRecipients,
          Durations.format(window));
    }
    droppedEarly += recipients;
  }

  /** Recipients kept now (at most {@code maxRecipients}). */
  public synchronized long retained() {
    return retained;
  }

  /** Recipients dropped before their time because the window was full. */
  public synchronized long droppedEarly() {
    return droppedEarly;
  }

  private static long key(String jobId, String address) {
    MessageDigest d = SHA256.get();
    d.update(jobId.getBytes(StandardCharsets.UTF_8));
    d.update((byte) 0);
    byte[] h = d.digest(Addresses.normalize(address).getBytes(StandardCharsets.UTF_8));
    long k = 0;
    for (int i = 0; i < 8; i++) {
      k = (k << 8) | (h[i] & 0xff);
    }
    return k;
  }

  private static final class Slice {
    final long start;
    final LongByteHashMap keys = new LongByteHashMap();
    long sent;
    long bounced;
    long complained;
    long reported;

    Slice(long start) {
      this.start = start;
    }
  }
}
