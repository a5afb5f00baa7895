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

  /** @param own messages/s for this worker, 0 for none; @param global messages/s for the group, 0 for none */
  public SendRate(int own, int global) {
    this.own = own;
    this.global = global;
    this.rate = own > 0 ? own : Double.POSITIVE_INFINITY;
    this.limiter = RateLimiter.create(own > 0 ? own : Double.MAX_VALUE);
  }

  public boolean limited() {
    return own > 0 || global > 0;
  }

  /** Called on every rebalance with this worker's jobs partitions and the topic's total. */
  public void share(int owned, int total) {
    if (global <= 0 || total <= 0) {
      return;
    }
    double share = (double) global * owned / total;
    double next = own > 0 ? Math.min(own, share) : share;
    if (next != rate) {
      rate = next;
      // A worker with no partitions sends nothing; keep a positive rate for the limiter.
      limiter.setRate(Math.max(next, 0.001));
      log.info("send rate now {}/s ({} of {} partitions of the group's {}/s{})", String.format("%.1f", next), owned,
          total, global, own > 0 ? ", own limit " + own + "/s" : "");
    }
  }

  /** Waits for a permit to send one message. */
  public void acquire() {
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
