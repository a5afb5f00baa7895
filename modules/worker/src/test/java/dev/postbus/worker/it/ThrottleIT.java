package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.lifecycle.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A relay that answers 454 4.7.0 above 100 messages/s (as SES does past the account's rate): the
 * worker, with no limit configured, slows down by itself and settles near 100/s; nothing is
 * dead-lettered.
 */
@ExtendWith(SharedKafka.class)
class ThrottleIT {

  static final int RELAY_RATE = 100;
  static final int JOBS = 2200; // lasts the settling and the measurement at 100/s

  @Test
  void throttleRepliesSlowTheWorkerToTheRelaysRateWithoutFailingJobs(EmbeddedKafka kafka) {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.faults(Faults.throttlingAbove(RELAY_RATE));
      ConcurrentLinkedQueue<Instant> accepted = new ConcurrentLinkedQueue<>();
      relay.onMessage(m -> accepted.add(m.receivedAt()));
      f.publish("throttle", JOBS);
      // Throttled jobs wait on the ladder's first tier: a short one brings them back within the
      // test.
      Worker worker =
          f.start(f.config(relay.port(), 8, "throttled", Map.of("retry.delays", "2s,5s")));

      Instant from = Instant.now().plusSeconds(8); // after the first push-backs
      // The decrease and the regrowth are unit-tested in simulated time (SendRateTest); here ten
      // real seconds.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> Instant.now().isAfter(from.plusSeconds(10)));
      long inWindow =
          accepted.stream()
              .filter(t -> !t.isBefore(from) && t.isBefore(from.plusSeconds(10)))
              .count();
      double rate = inWindow / 10.0;
      long throttled = worker.stats().snapshot().retried();
      System.out.printf(
          "ThrottleIT: relay takes %d/s; the worker sent %.1f/s over 10 s; %d jobs waited after a 454%n",
          RELAY_RATE, rate, throttled);
      assertThat(rate)
          .as("settles near the relay's rate")
          .isBetween(RELAY_RATE * 0.7, RELAY_RATE * 1.05);
      assertThat(throttled).as("some sends were pushed back").isPositive();

      await().atMost(Duration.ofMinutes(2)).until(() -> relay.countsByMessageId().size() == JOBS);
      assertThat(worker.stats().snapshot().deadLettered()).as("nothing dead-lettered").isZero();
      assertThat(relay.countsByMessageId().values()).allMatch(n -> n == 1);
    }
  }
}
