package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.lifecycle.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A group limit of 200 messages/s over two workers: the relay sees 200 a second (±10%) over a 20 s
 * window; when one worker stops, the other takes the whole 200/s after the rebalance. No store
 * shared between them.
 */
@ExtendWith(SharedKafka.class)
class RateLimitIT {

  static final int GLOBAL = 200;
  static final int JOBS = 6_000; // lasts the whole measurement at 200/s (about 25 s)

  @Test
  void theGroupLimitIsSharedByPartitionsAndRedividedOnRebalance(EmbeddedKafka kafka)
      throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      ConcurrentLinkedQueue<Instant> arrivals = new ConcurrentLinkedQueue<>();
      relay.onMessage(m -> arrivals.add(m.receivedAt()));
      f.publish("rate", JOBS);
      Map<String, String> limit = Map.of("rate-limit-global", Integer.toString(GLOBAL));
      Worker a = f.start(f.config(relay.port(), 4, "rate-a", limit));
      Worker b = f.start(f.config(relay.port(), 4, "rate-b", limit));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> a.ownedPartitions() == 3 && b.ownedPartitions() == 3);

      Instant from = Instant.now().plusSeconds(3); // past the hand-over of the first assignment
      // The division itself is unit-tested (SendRateTest); here eight real seconds of pacing
      // suffice.
      await()
          .atMost(Duration.ofSeconds(40))
          .until(() -> Instant.now().isAfter(from.plusSeconds(9)));
      List<Integer> twoWorkers = perSecond(arrivals, from, 8);

      a.close(); // graceful: its partitions go to b
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> b.ownedPartitions() == Fixtures.PARTITIONS);
      Instant after = Instant.now().plusSeconds(2);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Instant.now().isAfter(after.plusSeconds(7)));
      List<Integer> oneWorker = perSecond(arrivals, after, 6);

      System.out.printf(
          "RateLimitIT: group limit %d/s; two workers, per second: %s; one worker after the rebalance: %s%n",
          GLOBAL, twoWorkers, oneWorker);
      assertThat(relay.received()).as("the backlog lasted the whole measurement").isLessThan(JOBS);
      assertThat(twoWorkers)
          .allSatisfy(n -> assertThat(n).isBetween(GLOBAL * 9 / 10, GLOBAL * 11 / 10));
      assertThat(oneWorker)
          .allSatisfy(n -> assertThat(n).isBetween(GLOBAL * 9 / 10, GLOBAL * 11 / 10));
    }
  }

  /** Arrivals in each whole second of [from, from + seconds). */
  private static List<Integer> perSecond(
      ConcurrentLinkedQueue<Instant> arrivals, Instant from, int seconds) {
    int[] counts = new int[seconds];
    for (Instant t : arrivals) {
      long ms = Duration.between(from, t).toMillis();
      if (ms >= 0 && ms < seconds * 1000L) {
        counts[(int) (ms / 1000)]++;
      }
    }
    List<Integer> out = new ArrayList<>();
    for (int c : counts) {
      out.add(c);
    }
    return out;
  }
}
