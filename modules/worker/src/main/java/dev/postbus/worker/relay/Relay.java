package dev.postbus.worker.relay;

import dev.postbus.smtp.RelayOffer;
import dev.postbus.worker.config.RelayConfig;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One relay at run time: its connections, its send rate, and whether jobs may go to it. A
 * relay-level failure (unreachable, TLS, authentication) takes it out for a backoff period that
 * grows with each failed probe; when the period ends, one lane probes it with a real job (or, when
 * no lane holds one, the worker's {@link RelayProber} with a session of its own), and the relay is
 * back on the first answer. Each step is logged once, not once per job or lane.
 */
public final class Relay {

  private static final Logger log = LoggerFactory.getLogger(Relay.class);

  private final RelayConfig config;
  private final ConnectionPool connections;
  private final RelayOffer offer;
  private final SendRate rate;
  private final IntervalFunction backoff;
  private final Clock clock;
  private final Runnable onChange;
  private final LongAdder delivered = new LongAdder();

  private RelayState state = RelayState.UP;
  private int failures;
  private Instant retryAt = Instant.MIN;
  private String problem;

  Relay(
      RelayConfig config,
      ConnectionPool connections,
      RelayOffer offer,
      IntervalFunction backoff,
      Clock clock,
      Runnable onChange,
      double bulkFloor) {
    this.config = config;
    this.connections = connections;
    this.offer = offer;
    this.rate = new SendRate(config.rateLimit(), config.rateLimitGlobal(), bulkFloor);
    this.backoff = backoff;
    this.clock = clock;
    this.onChange = onChange;
  }

  public String name() {
    return config.name();
  }

  public RelayConfig config() {
    return config;
  }

  public ConnectionPool connections() {
    return connections;
  }

  /**
   * What the relay offered in EHLO and how Postbus sends to it (null fields before the first
   * connection).
   */
  public RelayOffer offer() {
    return offer;
  }

  public SendRate rate() {
    return rate;
  }

  /**
   * Whether this caller may probe the relay now: yes, for this one caller, when it is out and its
   * backoff has ended; it must end the probe with {@link #answered}, {@link #connected}, {@link
   * #failed} or {@link #abandonProbe}. No when it is up (a lane may have brought it up since the
   * caller read {@link #outUntil}): there is nothing to probe.
   */
  synchronized boolean take(Instant now) {
    if (state == RelayState.OUT && !now.isBefore(retryAt)) {
      state = state.moveTo(RelayState.PROBING);
      log.info("relay {}: its backoff ended; probing it", name());
      return true;
    }
    return false;
  }

  /** When this relay may next be probed; null when it is up or being probed. */
  synchronized Instant outUntil() {
    return state == RelayState.OUT ? retryAt : null;
  }

  public synchronized boolean up() {
    return state == RelayState.UP;
  }

  public synchronized RelayState state() {
    return state;
  }

  /** The latest problem while not up; null when up. */
  public synchronized String problem() {
    return state == RelayState.UP ? null : problem;
  }

  /** A relay-level failure: out for a backoff period, longer after each failed probe. */
  public void failed(String what) {
    synchronized (this) {
      problem = what;
      if (state == RelayState.OUT) {
        return; // a send that began before it went out; the period stands
      }
      failures++;
      Duration wait = Duration.ofMillis(backoff.apply(failures));
      retryAt = clock.instant().plus(wait);
      state = state.moveTo(RelayState.OUT);
      log.warn(
          "relay problem on {} ({}:{}): {}; relay out, probing it again in {} ms",
          name(),
          config.smtp().host(),
          config.smtp().port(),
          what,
          wait.toMillis());
    }
    onChange.run();
  }

  /**
   * The relay answered (whatever it said about the message): up again if it was not, and its
   * failure count reset (also when the worker's probe had brought it up: see {@link #connected}).
   */
  public void answered() {
    synchronized (this) {
      if (state == RelayState.UP) {
        failures = 0;
        return;
      }
      state = state.moveTo(RelayState.UP);
      failures = 0;
      problem = null;
    }
    log.info("relay {} answers again; jobs go to it", name());
    onChange.run();
  }

  /**
   * A session to the relay opened (the worker's own probe): up again if it was not, its failure
   * count kept. A relay that refuses us only at MAIL (530, 534, 535, 538) opens sessions fine; only
   * a real answer to a job ({@link #answered}) resets its backoff, so it does not come back at the
   * base backoff every time.
   */
  public void connected() {
    synchronized (this) {
      if (state == RelayState.UP) {
        return;
      }
      state = state.moveTo(RelayState.UP);
      problem = null;
    }
    log.info("relay {} accepts a session again; jobs go to it", name());
    onChange.run();
  }

  /**
   * The probing lane stopped before the relay answered: probe again at once, by whoever comes next.
   */
  public synchronized void abandonProbe() {
    if (state == RelayState.PROBING) {
      state = state.moveTo(RelayState.OUT);
      retryAt = clock.instant();
    }
  }

  public void delivered() {
    delivered.increment();
  }

  public long deliveredCount() {
    return delivered.sum();
  }

  /** See {@link SendRate#expectPartitions}. */
  void expectPartitions(int total) {
    rate.expectPartitions(total);
  }

  /** This worker's share of the group's partitions changed: re-divide the group-wide limits. */
  void share(int owned, int total) {
    rate.share(owned, total);
    if (config.connectionsGlobal() > 0 && total > 0) {
      int share = owned == 0 ? 1 : Math.max(1, config.connectionsGlobal() * owned / total);
      connections.limit(share);
      log.info(
          "relay {}: {} connections ({} of {} partitions of the group's {})",
          name(),
          connections.limit(),
          owned,
          total,
          config.connectionsGlobal());
    }
  }

  @Override
  public String toString() {
    return name();
  }
}
