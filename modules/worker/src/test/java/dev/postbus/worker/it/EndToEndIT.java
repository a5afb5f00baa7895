package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.testkit.HttpProbe;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.lifecycle.Worker;
import dev.postbus.worker.lifecycle.WorkerState;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Real broker, real SMTP server (GreenMail), two workers in one group. */
@ExtendWith(SharedKafka.class)
class EndToEndIT {

  @RegisterExtension
  static final GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  static final int JOBS = 2000;

  @Test
  void twoWorkersWithFourConnectionsEachDeliverEveryJobExactlyOnceAndSayItInTheirMetrics(
      EmbeddedKafka kafka) throws Exception {
    try (Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      Worker a = f.start(f.config(smtp.getSmtp().getPort(), 4, "worker-a", Map.of()));
      Worker b = f.start(f.config(smtp.getSmtp().getPort(), 4, "worker-b", Map.of()));
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () ->
                  a.ownedPartitions() > 0
                      && b.ownedPartitions() > 0
                      && a.ownedPartitions() + b.ownedPartitions() == Fixtures.PARTITIONS);
      f.publish("e2e", JOBS);

      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> smtp.getReceivedMessages().length >= JOBS);
      assertThat(a.state()).isEqualTo(WorkerState.RUNNING);

      Map<String, Long> perMessageId = countByMessageId(smtp.getReceivedMessages());
      assertThat(perMessageId).hasSize(JOBS);
      assertThat(perMessageId.values()).allMatch(n -> n == 1);
      for (int i = 0; i < JOBS; i++) {
        assertThat(perMessageId).containsKey("<e2e-" + i + "@example.com>");
      }
      long delivered = a.stats().snapshot().delivered() + b.stats().snapshot().delivered();
      assertThat(delivered).isEqualTo(JOBS);
      assertThat(a.stats().snapshot().delivered()).as("both workers took part").isPositive();
      assertThat(b.stats().snapshot().delivered()).as("both workers took part").isPositive();

      assertThat(a.stats().ledgerWaits() + b.stats().ledgerWaits())
          .as("every final dot after a lane's first waited for its ledger entry, 0 ms or more")
          .isGreaterThanOrEqualTo(JOBS - 2L * 4);
      String scrapeA = HttpProbe.get(a.httpPort(), "/metrics").body();
      String scrapeB = HttpProbe.get(b.httpPort(), "/metrics").body();
      assertThat(deliveredMetric(scrapeA) + deliveredMetric(scrapeB))
          .as("postbus_jobs_total delivered")
          .isEqualTo(JOBS);
      assertThat(scrapeA)
          .contains("postbus_smtp_send_seconds_count")
          .contains("postbus_publish_to_delivered_seconds_bucket")
          .contains("postbus_ledger_wait_seconds_count")
          .contains("postbus_smtp_connections{relay=\"default\",state=\"open\"")
          .contains("postbus_relay_up{relay=\"default\"")
          .contains("postbus_dispatch_queue_depth")
          .contains("postbus_consumer_lag{")
          .contains("postbus_retries_total{tier=\"30s\"")
          .contains("postbus_dead_letters_total{class=\"permanent\"")
          .contains("postbus_ready");
    }
  }

  /** The value of {@code postbus_jobs_total{outcome="delivered",...}} in a scrape. */
  static long deliveredMetric(String scrape) {
    return scrape
        .lines()
        .filter(l -> l.startsWith("postbus_jobs_total{") && l.contains("outcome=\"delivered\""))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  static Map<String, Long> countByMessageId(MimeMessage[] messages) {
    return Arrays.stream(messages)
        .map(
            m -> {
              try {
                return m.getMessageID();
              } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
              }
            })
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
  }
}
