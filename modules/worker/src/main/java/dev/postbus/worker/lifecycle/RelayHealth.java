package dev.postbus.worker.lifecycle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the lanes together know about the relay. A relay-level failure (unreachable, authentication,
 * TLS) is logged once per backoff step, not once per job or lane, and moves the worker to PAUSED; the
 * first delivery afterwards moves it back.
 */
public final class RelayHealth {

  private static final Logger log = LoggerFactory.getLogger(RelayHealth.class);

  private final Clock clock;
  private final Consumer<Boolean> onChange;
  private boolean down;
  private String problem;
  private Instant nextLog = Instant.MIN;

  /** {@code onChange} receives true when the relay goes down, false when it answers again. */
  public RelayHealth(Clock clock, Consumer<Boolean> onChange) {
    this.clock = clock;
    this.onChange = onChange;
  }

  public synchronized void failed(String problem, Duration retryIn) {
    Instant now = clock.instant();
    this.problem = problem;
    if (!down) {
      down = true;
      onChange.accept(true);
    }
    if (!now.isBefore(nextLog)) {
      log.warn("relay problem: {}; holding jobs and trying again in {} ms", problem, retryIn.toMillis());
      nextLog = now.plus(retryIn);
    }
  }

  public void answered() {
    synchronized (this) {
      if (!down) {
        return;
      }
      down = false;
      nextLog = Instant.MIN;
    }
    log.info("relay answers again; delivery resumed");
    onChange.accept(false);
  }

  public synchronized boolean down() {
    return down;
  }

  /** The latest relay problem while down; null when the relay answers. */
  public synchronized String problem() {
    return down ? problem : null;
  }
}
