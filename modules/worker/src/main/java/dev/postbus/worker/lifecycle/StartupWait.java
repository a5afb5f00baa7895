package dev.postbus.worker.lifecycle;

import dev.postbus.worker.config.ValueType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A starting worker waits here until Kafka answers: it looks, and while Kafka is not there it says
 * so once per step of a doubling backoff (1 s up to 30 s), until {@code worker.startup-timeout}
 * passes (zero: forever). What it is waiting for is also what the readiness probe reports.
 */
final class StartupWait {

  static final Duration FIRST_STEP = Duration.ofSeconds(1);
  static final Duration LONGEST_STEP = Duration.ofSeconds(30);

  /** The longest one look at Kafka may take. */
  static final Duration LOOK = Duration.ofSeconds(10);

  /**
   * The shortest: a look cut shorter by the deadline would report a timeout of its own, not what is
   * wrong.
   */
  static final Duration SHORTEST_LOOK = Duration.ofSeconds(1);

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  /** Waits for the next look; a test's passes no wall-clock time. */
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final String servers;
  private final Duration timeout;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Function<Duration, String> look;
  private final Consumer<String> say;
  private volatile String waiting;

  /**
   * @param look one look at Kafka, bounded by the duration given: null when it answered, else what
   *     happened
   * @param say told each line to log, once per step
   */
  StartupWait(
      String servers,
      Duration timeout,
      Clock clock,
      Sleeper sleeper,
      Function<Duration, String> look,
      Consumer<String> say) {
    this.servers = servers;
    this.timeout = timeout;
    this.clock = clock;
    this.sleeper = sleeper;
    this.look = look;
    this.say = say;
  }

  /** What the worker waits for now (for /health/ready), or null while it is not waiting. */
  String waiting() {
    return waiting;
  }

  /** Returns once Kafka answers; throws when the start-up timeout passes first. */
  void await() throws InterruptedException {
    Instant started = clock.instant();
    Instant deadline = timeout.isZero() ? null : started.plus(timeout);
    Duration step = FIRST_STEP;
    while (true) {
      Duration bound =
          deadline == null
              ? LOOK
              : max(SHORTEST_LOOK, min(LOOK, between(clock.instant(), deadline)));
      String problem = look.apply(bound);
      if (problem == null) {
        waiting = null;
        return;
      }
      Instant now = clock.instant();
      waiting =
          "waiting for Kafka at " + servers + " since " + TIME.format(started) + ": " + problem;
      if (deadline != null && !now.isBefore(deadline)) {
        throw new KafkaUnavailableException(
            "cannot reach Kafka at "
                + servers
                + ": "
                + problem
                + "; gave up after "
                + ValueType.format(timeout)
                + " (worker.startup-timeout). Is the broker running? Check kafka.bootstrap-servers"
                + " (POSTBUS_KAFKA_BOOTSTRAP_SERVERS), or wait longer with worker.startup-timeout (0:"
                + " forever).");
      }
      Duration wait = deadline == null ? step : min(step, between(now, deadline));
      say.accept(
          "Kafka at "
              + servers
              + " is not reachable: "
              + problem
              + "; trying again in "
              + seconds(wait)
              + (deadline == null
                  ? " (worker.startup-timeout=0: waiting as long as it takes)"
                  : " (giving up at " + TIME.format(deadline) + " UTC, worker.startup-timeout)"));
      sleeper.sleep(wait);
      step = min(step.multipliedBy(2), LONGEST_STEP);
    }
  }

  private static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms < 1000 ? ms + " ms" : Math.round(ms / 1000.0) + " s";
  }

  private static Duration between(Instant from, Instant to) {
    Duration d = Duration.between(from, to);
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
