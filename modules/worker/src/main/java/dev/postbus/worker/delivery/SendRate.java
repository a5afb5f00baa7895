package dev.postbus.worker.delivery;

import com.google.common.util.concurrent.RateLimiter;
import java.util.concurrent.atomic.DoubleAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How fast this worker's lanes may send, shared by all of them: the worker's own limit, and its share of the
 * group's limit, which is the group limit times the part of the jobs topic's partitions this worker owns. The
 * share is recomputed on every rebalance, so the workers of a group together stay within the group limit with
 * no store shared between them. Smooth pacing (Guava's RateLimiter), not bursts per second.
 */
public final class SendRate {

  private static final Logger log = LoggerFactory.getLogger(SendRate.class);

  private final int own;
  private final int global;
  private final RateLimiter limiter;
  private final DoubleAdder waited = new DoubleAdder();
  private volatile double rate;
  /** The configured limit (own and share); {@link #rate} is this or lower while the relay pushes back. */
  private double configured;
  /** The ceiling set by throttle feedback, infinite when the relay has not pushed back. */
  private double feedbackCap = Double.POSITIVE_INFINITY;
  private double increasePerSecond;
  private long lastAdjustNanos = System.nanoTime();
  private long lastDecreaseNanos;
  private long windowStartNanos = System.nanoTime();
  private int sentInWindow;
  private double lastSecondRate;
  /** When the relay accepted each message of the last second. */
  private final java.util.ArrayDeque<Long> acceptedTimes = new java.util.ArrayDeque<>();

  /** @param own messages/s for this worker, 0 for none; @param global messages/s for the group, 0 for none */
  public SendRate(int own, int global) {
    this.own = own;
    this.global = global;
    this.configured = own > 0 ? own : Double.POSITIVE_INFINITY;
    this.rate = configured;
    this.limiter = RateLimiter.create(own > 0 ? own : Double.MAX_VALUE);
  }

  public boolean limited() {
    return rate != Double.POSITIVE_INFINITY;
  }

  /**
   * The relay asked us to slow down (421, 454, 4.7.x): multiplicative decrease to 85% of the rate the relay
   * actually accepted (what it can take, however fast we were trying), at most once a second. The limit then grows back by a tenth of the new value every second until
   * the relay pushes back again or the configured limit is reached.
   */
  public synchronized void throttled() {
    long now = System.nanoTime();
    if (now - lastDecreaseNanos < 1_000_000_000L) {
      return;
    }
    lastDecreaseNanos = now;
    lastAdjustNanos = now;
    double accepted = acceptedRate(now);
    double base = accepted > 0 ? accepted : rate != Double.POSITIVE_INFINITY ? rate : observedRate(now);
    base = Math.min(rate, Math.max(base, 1));
    feedbackCap = Math.max(1, base * DECREASE);
    increasePerSecond = Math.max(1, feedbackCap / 10);
    apply("relay asked to slow down");
  }

  /** Called on every rebalance with this worker's jobs partitions and the topic's total. */
  public void share(int owned, int total) {
    if (global <= 0 || total <= 0) {
      return;
    }
    double share = (double) global * owned / total;
    synchronized (this) {
      configured = own > 0 ? Math.min(own, share) : share;
      apply(owned + " of " + total + " partitions of the group's " + global + "/s" + (own > 0 ? ", own limit " + own + "/s" : ""));
    }
  }

  private static final double DECREASE = 0.85;

  private void apply(String why) {
    double next = Math.min(configured, feedbackCap);
    if (next != rate) {
      rate = next;
      if (next != Double.POSITIVE_INFINITY) {
        // A worker with no partitions sends nothing; keep a positive rate for the limiter.
        limiter.setRate(Math.max(next, 0.001));
      }
      log.info("send rate now {}/s ({})", next == Double.POSITIVE_INFINITY ? "unlimited" : String.format("%.1f", next), why);
    }
  }

  /** A message was accepted by the relay (2xx). */
  public synchronized void accepted() {
    long now = System.nanoTime();
    acceptedTimes.addLast(now);
    forgetBefore(now - 1_000_000_000L);
  }

  /** Messages the relay accepted in the last second. */
  private double acceptedRate(long now) {
    forgetBefore(now - 1_000_000_000L);
    return acceptedTimes.size();
  }

  private void forgetBefore(long cutoff) {
    while (!acceptedTimes.isEmpty() && acceptedTimes.peekFirst() < cutoff) {
      acceptedTimes.pollFirst();
    }
  }

  /** Messages/s actually sent: the last whole second, or the current part of one when that is all there is. */
  private double observedRate(long now) {
    double elapsed = (now - windowStartNanos) / 1e9;
    double current = elapsed >= 0.1 ? sentInWindow / elapsed : 0;
    return Math.max(lastSecondRate, current);
  }

  /** Additive increase after a decrease, and the rate actually sent in the last second. */
  private synchronized void tick() {
    long now = System.nanoTime();
    sentInWindow++;
    if (now - windowStartNanos >= 1_000_000_000L) {
      lastSecondRate = sentInWindow * 1e9 / (now - windowStartNanos);
      sentInWindow = 0;
      windowStartNanos = now;
    }
    if (feedbackCap != Double.POSITIVE_INFINITY && now - lastAdjustNanos >= 1_000_000_000L) {
      double seconds = (now - lastAdjustNanos) / 1e9;
      lastAdjustNanos = now;
      feedbackCap += increasePerSecond * seconds;
      if (feedbackCap >= configured) {
        feedbackCap = Double.POSITIVE_INFINITY; // recovered
      }
      double before = rate;
      rate = Math.min(configured, feedbackCap);
      if (rate != before && rate != Double.POSITIVE_INFINITY) {
        limiter.setRate(Math.max(rate, 0.001));
      }
    }
  }

  /** Waits for a permit to send one message. */
  public void acquire() {
    tick();
    if (limited()) {
      waited.add(limiter.acquire());
    }
  }

  /** The current limit in messages/s (infinite when none). */
  public double rate() {
    return rate;
  }

  /** Seconds lanes have spent waiting for permits. */
  public double waitedSeconds() {
    return waited.sum();
  }
}
