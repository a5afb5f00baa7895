package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.FreePort;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.testkit.MinimalWorker;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.lifecycle.Worker;
import dev.postbus.worker.lifecycle.WorkerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The only broker stops for longer than the consumer's session timeout while jobs wait in the
 * worker's queue: delivery stops while Kafka is lost (no outcome, retry or ledger record could be
 * written), and once the broker is back every job is delivered exactly once.
 */
class KafkaLossHoldsDeliveryIT {

  private static final int JOBS = 150;

  @Test
  void noMailGoesOutWhileKafkaIsLostAndNoneIsLostOrSentTwice(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("kafka");
    int brokerPort = FreePort.pick();
    int controllerPort = FreePort.pick();
    EmbeddedKafka kafka = EmbeddedKafka.start(data, brokerPort, controllerPort, false);
    try (SmtpCapture relay = SmtpCapture.start(0)) {
      Map<String, String> s =
          MinimalWorker.settings(kafka.bootstrapServers(), relay.port(), "loss");
      s.put("worker.kafka-lost-after", "2s");
      s.put("worker.commit-interval", "200ms");
      s.put("rate-limit", "10"); // the jobs wait in the worker's queue while it sends
      s.put("smtp.connections", "4");
      s.put("kafka.client.session.timeout.ms", "6000");
      s.put("kafka.client.heartbeat.interval.ms", "1000");
      try (Worker worker = Worker.start(WorkerConfig.from(Settings.of(s)))) {
        publish(kafka.bootstrapServers(), s.get("topic"), JOBS);
        await().atMost(Duration.ofSeconds(60)).until(() -> relay.received() >= 20);

        kafka.close();
        long closedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> worker.state() == WorkerState.PAUSED);
        long atPause = relay.received();
        assertThat(atPause).as("the test needs jobs still queued").isLessThan(JOBS);
        // Watched until 9 s after the broker stopped: past the 6 s session timeout.
        Duration rest = Duration.ofSeconds(9).minusNanos(System.nanoTime() - closedAt);
        await()
            .during(rest.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : rest)
            .atMost(Duration.ofSeconds(11))
            .failFast("an SMTP transaction while Kafka was lost", () -> relay.received() > atPause)
            .until(() -> true);

        kafka = EmbeddedKafka.start(data, brokerPort, controllerPort, false);
        await().atMost(Duration.ofSeconds(120)).until(() -> relay.received() >= JOBS);
        await()
            .during(Duration.ofSeconds(3))
            .atMost(Duration.ofSeconds(10))
            .until(() -> relay.received() == JOBS);
        assertThat(relay.countsByMessageId()).hasSize(JOBS);
        assertThat(relay.countsByMessageId().values()).allMatch(n -> n == 1);
      }
    } finally {
      kafka.close();
      deleteTree(data);
    }
  }

  private static void publish(String bootstrap, String topic, int n) {
    try (JobPublisher p = JobPublisher.create(PublisherConfig.of(bootstrap, topic))) {
      List<CompletableFuture<?>> sent = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        sent.add(
            p.publish(Job.text("loss-" + i, "shop@example.com", "rcpt@example.net", "s", "t")));
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
    }
  }

  private static void deleteTree(Path root) throws Exception {
    if (Files.exists(root)) {
      try (var paths = Files.walk(root)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
