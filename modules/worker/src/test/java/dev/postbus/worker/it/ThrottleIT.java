package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.testkit.HttpProbe;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.lifecycle.Worker;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A relay that answers 454 4.7.0 above 100 messages/s (as SES does past the account's rate): the
 * worker, with no limit configured, sets itself one and slows down, so few of its sends are pushed
 * back; nothing is dead-lettered and every job is delivered once. Nothing here depends on how fast
 * the machine is: the relay enforces its own rate, a busy worker is pushed back less, never more
 * (how the limit falls and grows back is unit-tested in simulated time, SendRateTest).
 */
@ExtendWith(SharedKafka.class)
class ThrottleIT {

  static final int RELAY_RATE = 100;
  static final int JOBS = 2200; // many seconds at 100/s: the worker meets the relay's limit often

  /**
   * Sends pushed back with a 454, at most: a worker that does not slow down sends as fast as its 8
   * lanes go (several hundred a second) and is refused all but 100 a second, several times JOBS
   * over the run; one that slows down is refused a few each time it grows back past the relay's
   * rate.
   */
  static final int MOST_PUSHED_BACK = JOBS / 4;

  @Test
  void throttleRepliesSlowTheWorkerToTheRelaysRateWithoutFailingJobs(EmbeddedKafka kafka)
      throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.faults(Faults.throttlingAbove(RELAY_RATE));
      f.publish("throttle", JOBS);
      // Throttled jobs wait on the ladder's first tier: a short one brings them back within the
      // test.
      Worker worker =
          f.start(f.config(relay.port(), 8, "throttled", Map.of("retry.delays", "2s,5s")));

      await().atMost(Duration.ofMinutes(3)).until(() -> relay.countsByMessageId().size() == JOBS);
      long pushedBack = worker.stats().snapshot().retried();
      double limit = rateLimit(worker);
      System.out.printf(
          "ThrottleIT: relay takes %d/s; %d jobs, %d pushed back with a 454 (at most %d); the"
              + " worker's own limit at the end %.1f/s%n",
          RELAY_RATE, JOBS, pushedBack, MOST_PUSHED_BACK, limit);
      assertThat(pushedBack).as("some sends were pushed back").isPositive();
      assertThat(limit)
          .as("the worker, configured without a limit, set itself one (its scrape: +Inf is none)")
          .isPositive();
      assertThat(pushedBack).as("sends pushed back: it slowed down").isLessThan(MOST_PUSHED_BACK);
      assertThat(worker.stats().snapshot().deadLettered()).as("nothing dead-lettered").isZero();
      assertThat(relay.countsByMessageId().values()).allMatch(n -> n == 1);
    }
  }

  /** The worker's send rate limit from its scrape, 0 when none (+Inf is left out of the sums). */
  /** The name docs/operations.md gives it: Prometheus adds the unit to the name. */
  private static final String RATE_LIMIT_METRIC = "postbus_send_rate_limit_messages_per_second";

  private static double rateLimit(Worker w) throws Exception {
    return HttpProbe.totals(HttpProbe.get(w.httpPort(), "/metrics").body()).entrySet().stream()
        .filter(e -> e.getKey().equals(RATE_LIMIT_METRIC))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }
}
