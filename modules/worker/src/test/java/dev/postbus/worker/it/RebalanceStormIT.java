package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.lifecycle.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Workers join and leave the group every two seconds during a 5,000-job run (graceful stops,
 * cooperative rebalances): nothing lost, nothing delivered twice.
 */
@ExtendWith(SharedKafka.class)
class RebalanceStormIT {

  static final int JOBS = 5000;
  static final Duration CHURN = Duration.ofSeconds(2);

  @Test
  void workersJoiningAndLeavingEveryFewSecondsLoseAndDoubleNothing(EmbeddedKafka kafka)
      throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      // About 300 messages/s per worker: the run lasts long enough for many rebalances.
      relay.faults(Faults.delayingReplies(Duration.ofMillis(10)));
      f.publish("storm", JOBS);
      List<Worker> running = new ArrayList<>();
      running.add(f.start(f.config(relay.port(), 3, "storm-0", Map.of())));
      int started = 1;
      int stopped = 0;
      long begin = System.nanoTime();
      while (relay.countsByMessageId().size() < JOBS) {
        long next = System.nanoTime() + CHURN.toNanos();
        await()
            .atMost(CHURN.plusSeconds(1))
            .until(() -> System.nanoTime() >= next || relay.countsByMessageId().size() >= JOBS);
        boolean join =
            running.size() == 1
                || (running.size() < 4 && ThreadLocalRandom.current().nextBoolean());
        if (join) {
          running.add(f.start(f.config(relay.port(), 3, "storm-" + started++, Map.of())));
        } else {
          running
              .remove(ThreadLocalRandom.current().nextInt(running.size()))
              .close(); // drains and leaves
          stopped++;
        }
        assertThat(System.nanoTime() - begin)
            .as("the storm run finishes")
            .isLessThan(Duration.ofMinutes(4).toNanos());
      }
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(10))
          .until(() -> relay.received() == JOBS);

      Map<String, Integer> counts = relay.countsByMessageId();
      List<String> doubled =
          counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
      System.out.printf(
          "RebalanceStormIT: %d jobs, %d workers started, %d stopped, %d distinct delivered, %d doubled, %d s%n",
          JOBS,
          started,
          stopped,
          counts.size(),
          doubled.size(),
          Duration.ofNanos(System.nanoTime() - begin).toSeconds());
      assertThat(started + stopped)
          .as("membership changes during the run")
          .isGreaterThanOrEqualTo(4);
      assertThat(counts).hasSize(JOBS);
      assertThat(doubled).as("delivered twice").isEmpty();
      assertThat(relay.received()).isEqualTo(JOBS);
    }
  }
}
