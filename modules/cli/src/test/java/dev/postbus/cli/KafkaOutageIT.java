package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.FreePort;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.testkit.HttpProbe;
import dev.postbus.testkit.MinimalWorker;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.lifecycle.Worker;
import dev.postbus.worker.lifecycle.WorkerState;
import dev.postbus.worker.ops.OpsServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When Kafka is not there, or goes away: the worker waits, says so, and loses nothing. */
class KafkaOutageIT {

  @Test
  void aStartingWorkerWaitsForKafkaAndStartsWhenItAppears(@TempDir Path dir) throws Exception {
    int kafkaPort = FreePort.pick();
    int httpPort = FreePort.pick();
    try (SmtpCapture relay = SmtpCapture.start(0)) {
      Map<String, String> env =
          MinimalWorker.environment("127.0.0.1:" + kafkaPort, relay.port(), "wait");
      env.put("POSTBUS_HTTP_PORT", Integer.toString(httpPort));
      env.put("POSTBUS_WORKER_STARTUP_TIMEOUT", "2m");
      try (WorkerProcess worker = WorkerProcess.start(env)) {
        worker.awaitLog(
            "Kafka at 127.0.0.1:"
                + kafkaPort
                + " is not reachable: connection refused; trying"
                + " again in 1 s",
            Duration.ofSeconds(30));
        worker.awaitLog("trying again in 2 s", Duration.ofSeconds(30));
        HttpResponse<String> ready = HttpProbe.get(httpPort, OpsServer.READY_PATH);
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body())
            .contains("\"state\":\"STARTING\"")
            .contains("waiting for Kafka at 127.0.0.1:" + kafkaPort + " since ")
            .contains("connection refused");

        try (EmbeddedKafka kafka =
            EmbeddedKafka.start(dir.resolve("kafka"), kafkaPort, FreePort.pick(), true)) {
          worker.awaitLog("STARTING -> RUNNING", Duration.ofSeconds(90));
          await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> HttpProbe.get(httpPort, OpsServer.READY_PATH).statusCode() == 200);
          publish(kafka.bootstrapServers(), env.get("POSTBUS_TOPIC"), "appeared", 5);
          await().atMost(Duration.ofSeconds(60)).until(() -> relay.received() == 5);
          assertThat(worker.log()).doesNotContain("\tat ").doesNotContain("Exception");
          assertThat(worker.terminate()).isZero();
        }
      }
    }
  }

  @Test
  void aStartingWorkerGivesUpAfterTheStartupTimeoutWithOneLine() throws Exception {
    int closed = FreePort.pick();
    Map<String, String> env = MinimalWorker.environment("127.0.0.1:" + closed, 25, "give-up");
    env.put("POSTBUS_WORKER_STARTUP_TIMEOUT", "3s");
    try (WorkerProcess worker = WorkerProcess.start(env)) {
      assertThat(worker.awaitExit(Duration.ofSeconds(60))).isEqualTo(3);
      String log = worker.log();
      assertThat(log)
          .contains(
              "postbus worker: cannot reach Kafka at 127.0.0.1:"
                  + closed
                  + ": connection refused; gave up after 3s (worker.startup-timeout).")
          .doesNotContain("\tat ")
          .doesNotContain("Exception");
      assertThat(log.lines().filter(l -> l.contains("trying again in")).count())
          .isBetween(2L, 3L); // 1 s, 2 s, and what is left of the 3 s
    }
  }

  @Test
  void aBrokerStoppedAndRestartedUnderARunningWorkerLosesNothing(@TempDir Path dir)
      throws Exception {
    Path data = dir.resolve("kafka");
    int brokerPort = FreePort.pick();
    int controllerPort = FreePort.pick();
    EmbeddedKafka kafka = EmbeddedKafka.start(data, brokerPort, controllerPort, false);
    try (SmtpCapture relay = SmtpCapture.start(0)) {
      Map<String, String> s =
          MinimalWorker.settings(kafka.bootstrapServers(), relay.port(), "outage");
      s.put("worker.kafka-lost-after", "3s");
      s.put("worker.commit-interval", "200ms");
      try (Worker worker = Worker.start(WorkerConfig.from(Settings.of(s)))) {
        publish(kafka.bootstrapServers(), s.get("topic"), "before", 50);
        await().atMost(Duration.ofSeconds(60)).until(() -> relay.received() == 50);

        kafka.close();
        await().atMost(Duration.ofSeconds(60)).until(() -> worker.state() == WorkerState.PAUSED);
        HttpResponse<String> ready = HttpProbe.get(worker.httpPort(), OpsServer.READY_PATH);
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body())
            .containsPattern("kafka unreachable since \\d\\d:\\d\\d:\\d\\d UTC");

        kafka = EmbeddedKafka.start(data, brokerPort, controllerPort, false);
        await().atMost(Duration.ofSeconds(90)).until(() -> worker.state() == WorkerState.RUNNING);
        assertThat(HttpProbe.get(worker.httpPort(), OpsServer.READY_PATH).statusCode())
            .isEqualTo(200);
        publish(kafka.bootstrapServers(), s.get("topic"), "after", 50);
        await().atMost(Duration.ofSeconds(90)).until(() -> relay.received() >= 100);
        await()
            .during(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(10))
            .until(() -> relay.received() == 100);
        assertThat(relay.countsByMessageId()).hasSize(100);
        assertThat(relay.countsByMessageId().values()).allMatch(n -> n == 1);
      }
    } finally {
      kafka.close();
      deleteTree(data);
    }
  }

  private static void publish(String bootstrap, String topic, String prefix, int n) {
    try (JobPublisher p = JobPublisher.create(PublisherConfig.of(bootstrap, topic))) {
      List<CompletableFuture<?>> sent = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        sent.add(
            p.publish(
                Job.text(prefix + "-" + i, "shop@example.com", "rcpt@example.net", "s", "t")));
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
    }
  }

  private static void deleteTree(Path root) throws Exception {
    if (Files.exists(root)) {
      try (var paths = Files.walk(root)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
