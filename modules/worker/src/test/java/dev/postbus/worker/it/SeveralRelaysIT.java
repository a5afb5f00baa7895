package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.job.MailAddress;
import dev.postbus.testkit.HttpProbe;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.lifecycle.Worker;
import dev.postbus.worker.lifecycle.WorkerState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Several relays: failover when one goes down and back when it returns, pools chosen by a job tag,
 * weights.
 */
@ExtendWith(SharedKafka.class)
class SeveralRelaysIT {

  private static Map<String, String> relays(
      SmtpCapture a, SmtpCapture b, Map<String, String> more) {
    Map<String, String> m =
        new HashMap<>(
            Map.of(
                "relays",
                "a,b",
                "relay.a.port",
                Integer.toString(a.port()),
                "relay.b.port",
                Integer.toString(b.port()),
                "smtp.reconnect-backoff",
                "200ms",
                "smtp.reconnect-backoff-max",
                "1s",
                "retry.delays",
                "1s"));
    m.putAll(more);
    return m;
  }

  @Test
  void theFirstRelayKilledMidRunEveryJobGoesThroughTheSecondAndTheFirstIsUsedAgainWhenBack(
      EmbeddedKafka kafka) throws Exception {
    int jobs = 3000;
    try (SmtpCapture a = SmtpCapture.start(0);
        SmtpCapture b = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      // At most 400 messages/s over 4 lanes: a before and b during the outage take about 2,000
      // (the 3 s check included), and a takes what remains once it is back.
      a.faults(Faults.delayingReplies(Duration.ofMillis(10)));
      b.faults(Faults.delayingReplies(Duration.ofMillis(10)));
      f.publish("fo", jobs);
      Worker w = f.start(f.config(a.port(), 4, "failover", relays(a, b, Map.of())));
      await().atMost(Duration.ofMinutes(1)).until(() -> a.received() >= 500);
      assertThat(b.received())
          .as("failover: the second relay idles while the first is up")
          .isZero();

      a.goDown();
      long beforeOutage = a.received();
      await().atMost(Duration.ofSeconds(20)).until(() -> b.received() >= 300);
      // The worker is not paused: one relay is still up.
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(5))
          .until(() -> w.state() == WorkerState.RUNNING);
      var ready = HttpProbe.get(w.httpPort(), "/health/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      // What each relay offered in EHLO, and how the worker sends to it (both SubEthaSMTP:
      // CHUNKING, no PIPELINING).
      assertThat(ready.body())
          .contains("\"relays\":[{\"name\":\"a\",\"offered\":\"")
          .contains("CHUNKING")
          .contains("\"sending\":\"lock-step BDAT\"");
      assertThat(HttpProbe.get(w.httpPort(), "/metrics").body())
          .contains("postbus_relay_up{relay=\"a\",worker=\"failover\"} 0.0")
          .contains("postbus_relay_up{relay=\"b\",worker=\"failover\"} 1.0");
      long duringOutage = b.received();

      a.resume();
      await().atMost(Duration.ofSeconds(20)).until(() -> a.received() >= beforeOutage + 100);
      long bWhenABack = b.received();
      await().atMost(Duration.ofMinutes(1)).until(() -> union(a, b).size() == jobs);

      Set<String> all = union(a, b);
      long total = a.received() + b.received();
      long inDoubt = w.stats().snapshot().inDoubt();
      System.out.printf(
          "SeveralRelaysIT figures: %d jobs; relay a %d before it went down, %d after it came back; "
              + "relay b %d while a was down, %d in all; in doubt %d; duplicates %d; dead-lettered %d%n",
          jobs,
          beforeOutage,
          a.received() - beforeOutage,
          bWhenABack,
          b.received(),
          inDoubt,
          total - all.size(),
          w.stats().snapshot().deadLettered());
      assertThat(all).hasSize(jobs);
      assertThat(duringOutage).isPositive();
      assertThat(a.received() - beforeOutage)
          .as("the first relay is used again after it comes back")
          .isGreaterThan(100);
      assertThat(b.received() - bWhenABack)
          .as("once the first is back the second gets only what was under way")
          .isLessThanOrEqualTo(8);
      assertThat(total - all.size())
          .as("a duplicate only where a send was in doubt")
          .isLessThanOrEqualTo(inDoubt);
      assertThat(w.stats().snapshot().deadLettered()).isZero();
      assertThat(f.read(f.topic + ".dlt", 1, Duration.ofSeconds(2))).isEmpty();
    }
  }

  @Test
  void aJobNamesItsRelayPoolByTagAndAPoolNoRelayServesIsDeadLetteredSayingSo(EmbeddedKafka kafka) {
    try (SmtpCapture tx = SmtpCapture.start(0);
        SmtpCapture bulk = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      List<Job> jobs = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        jobs.add(tagged("tx-" + i, Map.of("relay-pool", "transactional")));
        jobs.add(tagged("plain-" + i, Map.of()));
      }
      jobs.add(tagged("lost-0", Map.of("relay-pool", "marketing")));
      f.publish(jobs);
      f.start(
          f.config(
              tx.port(),
              2,
              "pools",
              Map.of(
                  "relays",
                  "tx,bulk",
                  "relay.tx.port",
                  Integer.toString(tx.port()),
                  "relay.tx.pools",
                  "transactional",
                  "relay.bulk.port",
                  Integer.toString(bulk.port()),
                  "relay.bulk.pools",
                  "default")));
      await().atMost(Duration.ofMinutes(1)).until(() -> tx.received() + bulk.received() >= 80);
      List<ConsumerRecord<byte[], byte[]>> dlt =
          f.read(f.topic + ".dlt", 1, Duration.ofSeconds(30));
      assertThat(tx.received()).isEqualTo(40);
      assertThat(bulk.received()).isEqualTo(40);
      assertThat(tx.recent(100)).allMatch(m -> m.subject().startsWith("tx-"));
      assertThat(bulk.recent(100)).allMatch(m -> m.subject().startsWith("plain-"));
      assertThat(dlt).hasSize(1);
      assertThat(Fixtures.header(dlt.get(0), "postbus.dlt.class")).isEqualTo("poison");
      assertThat(Fixtures.header(dlt.get(0), "postbus.dlt.reason"))
          .startsWith(
              "tags.relay-pool: no relay serves pool 'marketing' (pools served: transactional, default)");
    }
  }

  @Test
  void weightedRelaysShareTheJobsByWeight(EmbeddedKafka kafka) {
    int jobs = 2000;
    try (SmtpCapture a = SmtpCapture.start(0);
        SmtpCapture b = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      f.publish("w", jobs);
      f.start(
          f.config(
              a.port(),
              4,
              "weighted",
              relays(a, b, Map.of("relays.mode", "weighted", "relay.a.weight", "3"))));
      await().atMost(Duration.ofMinutes(1)).until(() -> union(a, b).size() == jobs);
      double shareA = (double) a.received() / (a.received() + b.received());
      System.out.printf(
          "SeveralRelaysIT figures: weights 3:1 gave relay a %.1f%% of %d jobs%n",
          100 * shareA, jobs);
      assertThat(shareA).isBetween(0.70, 0.80);
    }
  }

  private static Job tagged(String id, Map<String, String> tags) {
    return new Job(
        Job.SCHEMA,
        id,
        MailAddress.parse("shop@example.com"),
        null,
        List.of(MailAddress.parse("user@example.net")),
        null,
        null,
        id,
        "Hello",
        null,
        null,
        null,
        tags,
        null,
        null);
  }

  private static Set<String> union(SmtpCapture a, SmtpCapture b) {
    Set<String> all = new HashSet<>(a.countsByMessageId().keySet());
    all.addAll(b.countsByMessageId().keySet());
    return all;
  }
}
