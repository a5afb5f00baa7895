package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.lifecycle.Worker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 1,000 jobs against a relay that answers 451 to 30% of them the first time, 550 5.1.1 to 5%, and
 * leaves 1% without a reply after the final '.' the first time (in doubt). Every job ends delivered
 * or dead-lettered; the 451s are delivered later; only the in-doubt ones may arrive twice.
 */
@ExtendWith(SharedKafka.class)
class FailureLadderIT {

  static final int JOBS = 1000;

  /**
   * later-* : 451 the first time; unknown-* : 550 5.1.1 at RCPT; doubt-* : no reply in time, the
   * first time.
   */
  static final class Script implements Faults {
    @Override
    public Reply recipient(String address) {
      return address.startsWith("unknown-") ? new Reply(550, "5.1.1 User unknown") : null;
    }

    @Override
    public Reply data(String messageId, List<String> recipients, int offered) {
      return offered == 1 && recipients.get(0).startsWith("later-")
          ? new Reply(451, "4.3.0 Try again later")
          : null;
    }

    @Override
    public Duration replyDelay(String messageId, int offered) {
      return offered == 1 && messageId.startsWith("<doubt-")
          ? Duration.ofMillis(2500)
          : Duration.ZERO;
    }
  }

  static String kind(int i) {
    int bucket = i % 100;
    return bucket < 30 ? "later" : bucket < 35 ? "unknown" : bucket == 35 ? "doubt" : "ok";
  }

  @Test
  void everyJobEndsDeliveredOrDeadLetteredAndOnlyInDoubtOnesRepeat(EmbeddedKafka kafka)
      throws IOException {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.faults(new Script());
      List<Job> jobs = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        String kind = kind(i);
        jobs.add(
            Job.text(
                kind + "-" + i,
                "sender@example.com",
                kind + "-" + i + "@example.net",
                "m " + i,
                "body"));
      }
      f.publish(jobs);
      Worker w =
          f.start(
              f.config(
                  relay.port(),
                  4,
                  "ladder",
                  Map.of(
                      "retry.delays",
                      "1s,2s",
                      "smtp.read-timeout",
                      "1s",
                      "smtp.data-done-timeout",
                      "1s")));

      Set<String> expectedDelivered = ids(jobs, k -> !k.equals("unknown"));
      Set<String> expectedDead = ids(jobs, k -> k.equals("unknown"));
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> delivered(relay).containsAll(expectedDelivered));
      List<ConsumerRecord<byte[], byte[]>> dead =
          f.read(f.topic + ".dlt", expectedDead.size(), Duration.ofSeconds(60));

      Set<String> deadIds = dead.stream().map(r -> new String(r.key())).collect(Collectors.toSet());
      assertThat(deadIds).isEqualTo(expectedDead);
      assertThat(dead)
          .allSatisfy(
              r -> {
                assertThat(Fixtures.header(r, PostbusHeaders.CLASS)).isEqualTo("permanent");
                assertThat(Fixtures.header(r, PostbusHeaders.CODE)).isEqualTo("550");
                assertThat(Fixtures.header(r, PostbusHeaders.ENHANCED_CODE)).isEqualTo("5.1.1");
              });
      assertThat(delivered(relay)).isEqualTo(expectedDelivered);
      assertThat(expectedDelivered.size() + deadIds.size()).isEqualTo(JOBS);

      Map<String, Integer> counts = relay.countsByMessageId();
      Set<String> repeated =
          counts.entrySet().stream()
              .filter(e -> e.getValue() > 1)
              .map(e -> idOf(e.getKey()))
              .collect(Collectors.toSet());
      assertThat(repeated)
          .as("only in-doubt jobs may arrive twice")
          .allMatch(id -> id.startsWith("doubt-"));
      assertThat(w.stats().snapshot().inDoubt())
          .isEqualTo(ids(jobs, k -> k.equals("doubt")).size());
      System.out.printf(
          "FailureLadderIT figures: jobs=%d delivered=%d deadLettered=%d retried=%d inDoubt=%d "
              + "duplicated=%d%n",
          JOBS,
          expectedDelivered.size(),
          deadIds.size(),
          w.stats().snapshot().retried(),
          w.stats().snapshot().inDoubt(),
          repeated.size());

      Map<String, Integer> events =
          eventTypes(f, expectedDelivered.size() + deadIds.size() + 300 + 10);
      assertThat(events.get("delivered")).isEqualTo(expectedDelivered.size());
      assertThat(events.get("dead-lettered")).isEqualTo(expectedDead.size());
      assertThat(events.get("deferred")).isEqualTo(300);
      assertThat(events.get("in-doubt")).isEqualTo(10);
    }
  }

  private static Set<String> ids(List<Job> jobs, java.util.function.Predicate<String> kind) {
    return jobs.stream()
        .map(Job::id)
        .filter(id -> kind.test(id.substring(0, id.indexOf('-'))))
        .collect(Collectors.toSet());
  }

  private static Set<String> delivered(SmtpCapture relay) {
    return relay.countsByMessageId().keySet().stream()
        .map(FailureLadderIT::idOf)
        .collect(Collectors.toCollection(HashSet::new));
  }

  /** {@code <later-3@example.com>} → {@code later-3}. */
  static String idOf(String messageId) {
    return messageId.substring(1, messageId.indexOf('@'));
  }

  private static Map<String, Integer> eventTypes(Fixtures f, int expected) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Map<String, Integer> types = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : f.read(f.events, expected, Duration.ofSeconds(60))) {
      JsonNode e = json.readTree(r.value());
      types.merge(e.get("type").asText(), 1, Integer::sum);
      assertThat(new String(r.key())).isEqualTo(e.get("jobId").asText());
    }
    return types;
  }
}
