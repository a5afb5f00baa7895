package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.CapturedMessage;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.testkit.HttpProbe;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.lifecycle.Worker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * smtp.connections-global=4 with two workers of 4 connections each: each opens its share by
 * partitions (2), so the relay never answers more than 4 sends at once; after one worker leaves,
 * the other takes all 4.
 */
@ExtendWith(SharedKafka.class)
class ConnectionLimitIT {

  static final Duration RELAY_TIME = Duration.ofMillis(200);

  /**
   * Jobs per phase: 10 per partition, so each lane sends about 15 in a row and every lane of the
   * worker's share is busy together for seconds (a share not enforced shows at the first sends).
   */
  static final int PER_PHASE = 60;

  @Test
  void theGroupsConnectionMaximumIsDividedByPartitionsAndReDividedOnRebalance(EmbeddedKafka kafka)
      throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.faults(Faults.delayingReplies(RELAY_TIME));
      ConcurrentLinkedQueue<CapturedMessage> seen = new ConcurrentLinkedQueue<>();
      relay.onMessage(seen::add);
      Map<String, String> limit = Map.of("smtp.connections-global", "4");
      Worker a = f.start(f.config(relay.port(), 4, "conn-a", limit));
      Worker b = f.start(f.config(relay.port(), 4, "conn-b", limit));
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> a.ownedPartitions() == 3 && b.ownedPartitions() == 3);
      assertThat(HttpProbe.get(a.httpPort(), "/metrics").body())
          .contains("postbus_smtp_connection_limit{relay=\"default\",worker=\"conn-a\"} 2.0");

      f.publish("both", PER_PHASE);
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> relay.countsByMessageId().size() == PER_PHASE);
      int both = DomainConcurrencyIT.maxOverlap(seen, m -> true, RELAY_TIME);

      b.close();
      await().atMost(Duration.ofMinutes(1)).until(() -> a.ownedPartitions() == 6);
      seen.clear();
      f.publish("alone", PER_PHASE);
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> relay.countsByMessageId().size() == 2 * PER_PHASE);
      int alone = DomainConcurrencyIT.maxOverlap(seen, m -> true, RELAY_TIME);
      System.out.printf(
          "ConnectionLimitIT figures: group maximum 4; most parallel sends with two workers %d, "
              + "with one %d%n",
          both, alone);
      assertThat(both).as("2 + 2 of 4 + 4 lanes").isBetween(3, 4);
      assertThat(alone).as("the remaining worker takes the whole 4").isBetween(3, 4);
      assertThat(HttpProbe.get(a.httpPort(), "/metrics").body())
          .contains("postbus_smtp_connection_limit{relay=\"default\",worker=\"conn-a\"} 4.0");
    }
  }
}
