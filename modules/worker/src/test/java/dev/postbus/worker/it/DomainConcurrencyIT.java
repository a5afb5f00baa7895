package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.CapturedMessage;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.testkit.SharedKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * smtp.domain-concurrency=gmail.com=2: never more than two sends to gmail.com at once; other
 * domains use all lanes.
 */
@ExtendWith(SharedKafka.class)
class DomainConcurrencyIT {

  static final Duration RELAY_TIME = Duration.ofMillis(200);

  @Test
  void aCappedDomainNeverHasMoreParallelSendsThanItsCap(EmbeddedKafka kafka) {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.faults(Faults.delayingReplies(RELAY_TIME));
      ConcurrentLinkedQueue<CapturedMessage> seen = new ConcurrentLinkedQueue<>();
      relay.onMessage(seen::add);
      List<Job> jobs = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        jobs.add(
            Job.text(
                "g-" + i, "shop@example.com", "user" + i + "@gmail.com", "To Gmail " + i, "Hello"));
        jobs.add(
            Job.text(
                "o-" + i,
                "shop@example.com",
                "user" + i + "@example.net",
                "Elsewhere " + i,
                "Hello"));
      }
      f.publish(jobs);
      f.start(
          f.config(relay.port(), 8, "domains", Map.of("smtp.domain-concurrency", "gmail.com=2")));
      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> relay.countsByMessageId().size() == jobs.size());

      int gmail = maxOverlap(seen, m -> m.recipients().get(0).endsWith("@gmail.com"), RELAY_TIME);
      int other = maxOverlap(seen, m -> m.recipients().get(0).endsWith("@example.net"), RELAY_TIME);
      System.out.printf(
          "DomainConcurrencyIT: most parallel sends to gmail.com %d (cap 2), to example.net %d%n",
          gmail, other);
      assertThat(gmail).isBetween(1, 2);
      assertThat(other).as("uncapped domains use more lanes").isGreaterThan(2);
    }
  }

  /**
   * The most sends the relay was answering at once: each message was being answered during
   * [receivedAt - relay time, receivedAt].
   */
  static int maxOverlap(
      java.util.Collection<CapturedMessage> seen,
      java.util.function.Predicate<CapturedMessage> which,
      Duration relayTime) {
    final Duration RELAY_TIME = relayTime;
    List<Instant> ends =
        seen.stream().filter(which).map(CapturedMessage::receivedAt).sorted().toList();
    int most = 0;
    for (Instant end : ends) {
      Instant start = end.minus(RELAY_TIME);
      // Messages whose answering window contains this one's start.
      int overlapping =
          (int)
              ends.stream()
                  .filter(e -> e.isAfter(start) && !e.minus(RELAY_TIME).isAfter(start))
                  .count();
      most = Math.max(most, overlapping);
    }
    return most;
  }
}
