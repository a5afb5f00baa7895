package dev.postbus.worker.relay;

import dev.postbus.smtp.RelayOffer;
import dev.postbus.smtp.SmtpConnection;
import dev.postbus.worker.config.ClassKeys;
import dev.postbus.worker.config.RelayConfig;
import dev.postbus.worker.config.RelayMode;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The relays of a worker and which one a job goes to: of those serving the job's pool, the first
 * that is up (failover) or one at random by weight among those up (weighted). A relay whose backoff
 * has ended is probed with the next job that it serves, before the others are considered. When
 * every relay is out the worker pauses; the first answer resumes it.
 */
public final class Relays {

  /**
   * Where a job goes: a relay (to probe, perhaps), or nowhere yet and how long to wait before
   * asking again.
   */
  public record Pick(Relay relay, boolean probe, Duration waitFor) {
    static Pick of(Relay r, boolean probe) {
      return new Pick(r, probe, Duration.ZERO);
    }
  }

  /** How long a lane waits while a relay is being probed by another lane. */
  private static final Duration WHILE_PROBING = Duration.ofMillis(100);

  private final List<Relay> relays;
  private final RelayMode mode;
  private final SendRate total;
  private final Clock clock;
  private final Consumer<Boolean> onAllOut;
  private boolean allOut;

  /**
   * @param total the worker's own limit over all relays, or null (with one relay, its rate is the
   *     worker's)
   * @param onAllOut receives true when every relay is out, false when one answers again
   */
  public Relays(
      List<RelayConfig> configs,
      RelayMode mode,
      SendRate total,
      IntervalFunction backoff,
      Clock clock,
      Consumer<Boolean> onAllOut) {
    this(configs, mode, total, backoff, clock, onAllOut, ClassKeys.BULK_FLOOR.defaultValue());
  }

  /**
   * @param bulkFloor {@code classes.bulk-floor}, for the relays' rates ({@link SendRate#acquire})
   */
  public Relays(
      List<RelayConfig> configs,
      RelayMode mode,
      SendRate total,
      IntervalFunction backoff,
      Clock clock,
      Consumer<Boolean> onAllOut,
      double bulkFloor) {
    this(configs, mode, total, backoff, clock, onAllOut, bulkFloor, ConnectionPool::new);
  }

  /**
   * @param pools the pool of each relay's connections (tests: one whose give-back throws)
   */
  Relays(
      List<RelayConfig> configs,
      RelayMode mode,
      SendRate total,
      IntervalFunction backoff,
      Clock clock,
      Consumer<Boolean> onAllOut,
      double bulkFloor,
      Function<List<SmtpConnection>, ConnectionPool> pools) {
    this.mode = mode;
    this.total = total;
    this.clock = clock;
    this.onAllOut = onAllOut;
    List<Relay> list = new ArrayList<>();
    for (RelayConfig c : configs) {
      RelayOffer offer =
          new RelayOffer(c.name() + " (" + c.smtp().host() + ":" + c.smtp().port() + ")");
      List<SmtpConnection> connections = new ArrayList<>();
      for (int i = 0; i < c.connections(); i++) {
        connections.add(new SmtpConnection(c.smtp(), offer, clock, c.name() + "-" + i));
      }
      list.add(
          new Relay(c, pools.apply(connections), offer, backoff, clock, this::changed, bulkFloor));
    }
    this.relays = List.copyOf(list);
  }

  public List<Relay> all() {
    return relays;
  }

  /** Whether any relay serves {@code pool}. */
  public boolean serves(String pool) {
    return relays.stream().anyMatch(r -> r.config().serves(pool));
  }

  /** The pools some relay serves, for an error naming a pool none serves. */
  public String pools() {
    return relays.stream()
        .flatMap(r -> r.config().pools().stream())
        .distinct()
        .collect(Collectors.joining(", "));
  }

  /** Where a job of {@code pool} goes now. The pool must be one {@link #serves served}. */
  public Pick pick(String pool) {
    Instant now = clock.instant();
    List<Relay> up = null; // weighted mode only
    Instant soonest = null;
    for (Relay r : relays) {
      if (!r.config().serves(pool)) {
        continue;
      }
      if (r.up()) {
        if (mode == RelayMode.FAILOVER) {
          return Pick.of(r, false);
        }
        if (up == null) {
          up = new ArrayList<>(relays.size());
        }
        up.add(r);
        continue;
      }
      Instant outUntil = r.outUntil();
      if (outUntil != null && !now.isBefore(outUntil) && r.take(now)) {
        return Pick.of(r, true); // in failover order, or ahead of the weighted choice
      }
      Instant next = outUntil != null ? outUntil : now.plus(WHILE_PROBING);
      if (soonest == null || next.isBefore(soonest)) {
        soonest = next;
      }
    }
    if (up != null) {
      return Pick.of(byWeight(up), false);
    }
    Duration wait = soonest == null ? WHILE_PROBING : Duration.between(now, soonest);
    return new Pick(null, false, wait.isNegative() || wait.isZero() ? Duration.ofMillis(1) : wait);
  }

  private static Relay byWeight(List<Relay> up) {
    if (up.size() == 1) {
      return up.get(0);
    }
    int sum = up.stream().mapToInt(r -> r.config().weight()).sum();
    int x = ThreadLocalRandom.current().nextInt(sum);
    for (Relay r : up) {
      x -= r.config().weight();
      if (x < 0) {
        return r;
      }
    }
    return up.get(up.size() - 1);
  }

  /** The worker's own limit over all relays, or null. */
  public SendRate total() {
    return total;
  }

  /** True while every relay is out. */
  public synchronized boolean allOut() {
    return allOut;
  }

  /** What readiness reports while paused: the problem of each relay. */
  public String problem() {
    if (relays.size() == 1) {
      return relays.get(0).problem();
    }
    return relays.stream()
        .filter(r -> !r.up())
        .map(r -> r.name() + ": " + r.problem())
        .collect(Collectors.joining("; "));
  }

  /**
   * A relay went out or came back. The relays' states are read under this monitor, so that a lane
   * that saw "all out" cannot store it after another lane has seen one come back. The listener is
   * told outside the monitor (it may read {@link #allOut} under a lock of its own) and must read
   * the state again rather than trust the order of its calls.
   */
  private void changed() {
    boolean now;
    synchronized (this) {
      now = relays.stream().noneMatch(Relay::up);
      if (now == allOut) {
        return;
      }
      allOut = now;
    }
    onAllOut.accept(now);
  }

  /**
   * The partitions the group is expected to consume, from the configuration: every rate under a
   * group limit sends at one partition's share of them until the first {@link #share} (see {@link
   * SendRate#expectPartitions}).
   */
  public void expectPartitions(int totalPartitions) {
    relays.forEach(r -> r.expectPartitions(totalPartitions));
    if (total != null) {
      total.expectPartitions(totalPartitions);
    }
  }

  /** This worker's share of the jobs topic's partitions changed (every rebalance). */
  public void share(int owned, int totalPartitions) {
    relays.forEach(r -> r.share(owned, totalPartitions));
    if (total != null) {
      total.share(owned, totalPartitions);
    }
  }

  /** Closes idle connections of every relay. */
  public void closeIdle() {
    relays.forEach(r -> r.connections().closeIdle());
  }

  public void closeAll() {
    relays.forEach(r -> r.connections().closeAll());
  }

  /** Seconds lanes have waited for any send rate limit. */
  public double waitedSeconds() {
    return relays.stream().mapToDouble(r -> r.rate().waitedSeconds()).sum()
        + (total == null ? 0 : total.waitedSeconds());
  }
}
