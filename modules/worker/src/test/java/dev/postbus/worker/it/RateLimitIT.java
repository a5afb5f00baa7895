package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.testkit.HttpProbe;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.lifecycle.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A group limit of 200 messages/s over two workers, no store shared between them: each worker's
 * limit is its share (100/s for 3 of 6 partitions, the whole 200/s once the other stops), and the
 * relay never receives more than the limit allows over any stretch of time, by its own receive
 * timestamps. Only that side is asserted: a busy machine makes the relay receive fewer, never more,
 * so load cannot fail this test, while a broken limit does. How the limit is divided and how it
 * moves after a throttle is unit-tested in simulated time (SendRateTest); the pacing is Guava's.
 */
@ExtendWith(SharedKafka.class)
class RateLimitIT {

  static final int GLOBAL = 200;
  static final int JOBS = 6_000; // more than the measurement sends: the limit is always the brake
  static final int LANES = 4; // per worker

  /**
   * What the relay may receive beyond {@code GLOBAL × elapsed} in any stretch: Guava's limiter
   * stores up to one second of permits while its lanes fall behind (a busy machine), at most GLOBAL
   * across the two workers, and the survivor's stored permits double when its share does (at most
   * GLOBAL more); plus what the lanes hold between a permit and the relay's receipt (two messages
   * each, with pipelined DATA) and one permit per worker. A limit broken by half again exceeds it
   * within the first measurement.
   */
  static final int ALLOWANCE = 2 * GLOBAL + 2 * 2 * LANES + 2;

  @Test
  void theGroupLimitIsSharedByPartitionsAndRedividedOnRebalance(EmbeddedKafka kafka)
      throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      ConcurrentLinkedQueue<Instant> arrivals = new ConcurrentLinkedQueue<>();
      relay.onMessage(m -> arrivals.add(m.receivedAt()));
      f.publish("rate", JOBS);
      Map<String, String> limit = Map.of("rate-limit-global", Integer.toString(GLOBAL));
      Worker a = f.start(f.config(relay.port(), LANES, "rate-a", limit));
      Worker b = f.start(f.config(relay.port(), LANES, "rate-b", limit));
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () ->
                  a.ownedPartitions() == 3
                      && b.ownedPartitions() == 3
                      && rateLimit(a) == GLOBAL / 2.0
                      && rateLimit(b) == GLOBAL / 2.0);
      Instant from = Instant.now();
      long atSplit = relay.received();
      // Ten seconds' worth at the limit; conditions, not the wall clock, end each phase.
      await().atMost(Duration.ofMinutes(3)).until(() -> relay.received() >= atSplit + 2_000);
      Window twoWorkers = worstWindow(arrivals, from, Instant.now());

      a.close(); // graceful: its partitions go to b
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () -> b.ownedPartitions() == Fixtures.PARTITIONS && rateLimit(b) == (double) GLOBAL);
      long afterRebalance = relay.received();
      await().atMost(Duration.ofMinutes(3)).until(() -> relay.received() >= afterRebalance + 1_200);
      Instant to = Instant.now();
      Window overall = worstWindow(arrivals, from, to);

      System.out.printf(
          "RateLimitIT: group limit %d/s; most above the limit in any stretch: %s with two"
              + " workers, %s over the whole run with the rebalance (allowed %d)%n",
          GLOBAL, twoWorkers, overall, ALLOWANCE);
      assertThat(relay.received()).as("the backlog lasted the whole measurement").isLessThan(JOBS);
      assertThat(overall.excess())
          .as("messages received beyond %d/s × elapsed in the worst stretch (%s)", GLOBAL, overall)
          .isLessThanOrEqualTo(ALLOWANCE);
    }
  }

  /** The worker's send rate limit, from its scrape (Prometheus adds the unit to the name). */
  /** The name docs/operations.md gives it: Prometheus adds the unit to the name. */
  private static final String RATE_LIMIT_METRIC = "postbus_send_rate_limit_messages_per_second";

  private static double rateLimit(Worker w) throws Exception {
    Map<String, Double> totals = HttpProbe.totals(HttpProbe.get(w.httpPort(), "/metrics").body());
    return totals.entrySet().stream()
        .filter(e -> e.getKey().equals(RATE_LIMIT_METRIC))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  /** The stretch of arrivals with the most messages beyond {@code GLOBAL × its length}. */
  record Window(int count, Duration length, double excess) {
    @Override
    public String toString() {
      return String.format("%d in %d ms (%.0f over)", count, length.toMillis(), excess);
    }
  }

  /**
   * The worst stretch [t_i, t_j] of the arrivals in [from, to]: with g(k) = k − GLOBAL × t_k, the
   * excess of a stretch is g(j) − g(i) + 1, so the worst one ends at each j with the lowest g
   * before it.
   */
  static Window worstWindow(ConcurrentLinkedQueue<Instant> arrivals, Instant from, Instant to) {
    List<Instant> in =
        arrivals.stream().filter(t -> !t.isBefore(from) && !t.isAfter(to)).sorted().toList();
    Window worst = new Window(0, Duration.ZERO, 0);
    int lowest = 0;
    for (int j = 0; j < in.size(); j++) {
      if (g(in, j) < g(in, lowest)) {
        lowest = j;
      }
      double excess = g(in, j) - g(in, lowest) + 1;
      if (excess > worst.excess()) {
        worst = new Window(j - lowest + 1, Duration.between(in.get(lowest), in.get(j)), excess);
      }
    }
    return worst;
  }

  private static double g(List<Instant> in, int k) {
    Duration since = Duration.between(in.get(0), in.get(k));
    return k - GLOBAL * (since.toNanos() / 1e9);
  }
}
