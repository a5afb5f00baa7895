package dev.postbus.worker.relay;

import dev.postbus.job.JobClass;
import dev.postbus.worker.config.ClassKeys;
import dev.postbus.worker.dispatch.ClassTurns;
import dev.postbus.worker.time.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How fast this worker's lanes may send, shared by all of them: the worker's own limit, and its
 * share of the group's limit, which is the group limit times the part of the consumed partitions
 * (jobs and retry tiers) this worker owns. The share is recomputed on every rebalance, so the
 * workers of a group together stay within the group limit with no store shared between them. Smooth
 * pacing (Guava's RateLimiter), not bursts per second.
 *
 * <p>Until the first share is told (Kafka may not answer the partition count at once), a worker
 * under a group limit is never unlimited: it sends at one partition's share of the partitions the
 * configuration expects ({@link #expectPartitions}), or at most the group's whole limit.
 */
public final class SendRate {

  private static final Logger log = LoggerFactory.getLogger(SendRate.class);

  private final int own;
  private final int global;
  private final Pacer limiter;
  private final ClassTurns turns;
  private final DoubleAdder waited = new DoubleAdder();
  private volatile double rate;

  /**
   * The configured limit (own and share); {@link #rate} is this or lower while the relay pushes
   * back.
   */
  private double configured;

  /** Whether a share was told: until then the rate is the guess of {@link #expectPartitions}. */
  private boolean shared;

  /** The ceiling set by throttle feedback, infinite when the relay has not pushed back. */
  private double feedbackCap = Double.POSITIVE_INFINITY;

  private double increasePerSecond;
  private final Ticker ticker;
  private long lastAdjustNanos;
  private long lastDecreaseNanos;
  private boolean
      decreased; // nanoTime's origin is arbitrary: the first decrease must not compare with 0
  private final LastSecond sent = new LastSecond();
  private final LastSecond accepted = new LastSecond();

  /**
   * @param own messages/s for this worker, 0 for none; @param global messages/s for the group, 0
   *     for none
   */
  public SendRate(int own, int global) {
    this(own, global, ClassKeys.BULK_FLOOR.defaultValue());
  }

  /**
   * @param bulkFloor {@code classes.bulk-floor}: bulk's share of the permits while both classes
   *     wait for one
   */
  public SendRate(int own, int global, double bulkFloor) {
    this(own, global, Ticker.SYSTEM, Pacer::guava, bulkFloor);
  }

  /**
   * @param ticker times the throttle feedback (decreases at most once a second, growth per second,
   *     the last second's counts); the pacing itself is Guava's, on the system clock
   */
  public SendRate(int own, int global, Ticker ticker) {
    this(own, global, ticker, Pacer::guava, ClassKeys.BULK_FLOOR.defaultValue());
  }

  /**
   * @param pacer makes the pacer for the first rate
   */
  SendRate(int own, int global, Ticker ticker, DoubleFunction<Pacer> pacer, double bulkFloor) {
    this.turns = new ClassTurns(bulkFloor);
    this.ticker = ticker;
    this.lastAdjustNanos = ticker.read();
    this.own = own;
    this.global = global;
    this.configured = Math.min(limit(own), limit(global)); // the group's limit until a share
    this.rate = configured;
    this.limiter =
        pacer.apply(configured == Double.POSITIVE_INFINITY ? Double.MAX_VALUE : configured);
  }

  public boolean limited() {
    return rate != Double.POSITIVE_INFINITY;
  }

  /**
   * The relay asked us to slow down (421, 454, 4.7.x): multiplicative decrease to 85% of what the
   * relay accepted in the last second (what it can take, however fast we were trying), at most once
   * a second. The limit then grows back by a tenth of the new value every second until the relay
   * pushes back again or the configured limit is reached.
   */
  public synchronized void throttled() {
    long now = ticker.read();
    if (decreased && now - lastDecreaseNanos < 1_000_000_000L) {
      return;
    }
    decreased = true;
    lastDecreaseNanos = now;
    lastAdjustNanos = now;
    double took = accepted.count(now);
    double base = took > 0 ? took : rate != Double.POSITIVE_INFINITY ? rate : sent.count(now);
    base = Math.min(rate, Math.max(base, 1));
    feedbackCap = Math.max(1, base * DECREASE);
    increasePerSecond = Math.max(1, feedbackCap / 10);
    apply("relay asked to slow down");
  }

  /**
   * Called on every rebalance with the partitions this worker owns and the total the group consumes
   * (jobs and retry tiers): the workers' shares add up to the group's limit.
   */
  public void share(int owned, int total) {
    if (global <= 0 || total <= 0) {
      return;
    }
    // A worker that owns nothing sends nothing; it keeps one partition's share, never a near-zero
    // rate a lane could be caught waiting on when partitions come.
    double share = (double) global * Math.max(owned, 1) / total;
    synchronized (this) {
      shared = true;
      configured = Math.min(limit(own), share);
      apply(
          owned
              + " of "
              + total
              + " partitions of the group's "
              + global
              + "/s"
              + (own > 0 ? ", own limit " + own + "/s" : ""));
    }
  }

  /**
   * Before the first share: the group is expected to consume {@code total} partitions (jobs and
   * retry tiers, from the configuration), so this worker sends at one partition's share, the least
   * any worker's share can be; its real share, once told, is that or more. Ignored after a share.
   */
  public synchronized void expectPartitions(int total) {
    if (shared || global <= 0 || total <= 0) {
      return;
    }
    configured = Math.min(limit(own), (double) global / total);
    apply("until this worker's share is known: one of " + total + " expected partitions");
  }

  private static double limit(int perSecond) {
    return perSecond > 0 ? perSecond : Double.POSITIVE_INFINITY;
  }

  private static final double DECREASE = 0.85;

  /**
   * @param why for the log line; null for the quiet steps of the recovery
   */
  private void apply(String why) {
    double next = Math.min(configured, feedbackCap);
    if (next != rate) {
      rate = next;
      if (next != Double.POSITIVE_INFINITY) {
        limiter.setRate(Math.max(next, 0.001)); // the limiter needs a positive rate
      }
      if (why != null) {
        log.info(
            "send rate now {}/s ({})",
            next == Double.POSITIVE_INFINITY ? "unlimited" : String.format("%.1f", next),
            why);
      }
    }
  }

  /** A message was accepted by the relay (2xx). */
  public synchronized void accepted() {
    accepted.add(ticker.read());
  }

  /** Counts what is sent, and grows the limit back after a decrease. */
  synchronized void tick() {
    long now = ticker.read();
    sent.add(now);
    if (feedbackCap != Double.POSITIVE_INFINITY && now - lastAdjustNanos >= 1_000_000_000L) {
      feedbackCap += increasePerSecond * (now - lastAdjustNanos) / 1e9;
      lastAdjustNanos = now;
      if (feedbackCap >= configured) {
        feedbackCap = Double.POSITIVE_INFINITY; // recovered
      }
      apply(null);
    }
  }

  /** Events in the last second, in ten buckets of 100 ms: no allocation per event. */
  private static final class LastSecond {
    private static final long BUCKET = 100_000_000L;
    private final int[] counts = new int[10];
    private long newest = Long.MIN_VALUE; // bucket number of counts[newest % 10]

    void add(long nanos) {
      advance(nanos / BUCKET);
      counts[(int) Math.floorMod(newest, 10L)]++;
    }

    int count(long nanos) {
      advance(nanos / BUCKET);
      int sum = 0;
      for (int c : counts) {
        sum += c;
      }
      return sum;
    }

    private void advance(long bucket) {
      if (newest == Long.MIN_VALUE || bucket - newest >= counts.length) {
        java.util.Arrays.fill(counts, 0);
      } else {
        for (long b = newest + 1; b <= bucket; b++) {
          counts[(int) Math.floorMod(b, 10L)] = 0;
        }
      }
      newest = Math.max(newest, bucket);
    }
  }

  /** The longest the lane whose turn it is goes without looking again for a permit. */
  private static final Duration LONGEST_POLL = Duration.ofMillis(20);

  /**
   * Waits for a permit for a send of {@code jobClass}: {@link #acquire(Supplier, BooleanSupplier)}.
   */
  public boolean acquire(JobClass jobClass, BooleanSupplier giveUp) throws InterruptedException {
    return acquire(() -> jobClass, giveUp);
  }

  /**
   * Waits for a permit to send one message of {@code jobClass}, giving up (false) as soon as {@code
   * giveUp} says so or the thread is interrupted: a lane stopping, or whose partition is let go,
   * does not sleep out a slow rate. While permits are scarce, a waiting transactional send gets the
   * next one before a waiting bulk send, bulk getting {@code classes.bulk-floor} of them while both
   * wait, first come first served within a class ({@link ClassTurns}). Only the lane whose turn it
   * is looks at the pacer (about when the next permit is due, every 1 to 20 ms); the others sleep
   * until it leaves.
   *
   * @param jobClass the send's class, read again while it waits (it may rise to transactional)
   */
  public boolean acquire(Supplier<JobClass> jobClass, BooleanSupplier giveUp)
      throws InterruptedException {
    return acquireGranted(jobClass, giveUp) != null;
  }

  /**
   * {@link #acquire(Supplier, BooleanSupplier)}, answering the class the permit was granted in (the
   * send's class when its turn came; with no limit, its class now), or null when given up.
   */
  public JobClass acquireGranted(Supplier<JobClass> jobClass, BooleanSupplier giveUp)
      throws InterruptedException {
    tick();
    if (!limited()) {
      return jobClass.get();
    }
    long start = System.nanoTime();
    try {
      long micros = (long) Math.min(LONGEST_POLL.toNanos() / 1e3, 1e6 / rate);
      Duration poll = Duration.ofNanos(Math.max(1000, micros) * 1000);
      return turns.takeGranted(jobClass, limiter::tryAcquire, poll, giveUp);
    } finally {
      waited.add((System.nanoTime() - start) / 1e9);
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
