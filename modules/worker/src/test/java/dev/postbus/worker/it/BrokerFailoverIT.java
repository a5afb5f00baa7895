package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.testkit.BrokerCluster;
import dev.postbus.testkit.MinimalWorker;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.lifecycle.Worker;
import dev.postbus.worker.lifecycle.WorkerState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Three broker processes (replication 3, min.insync.replicas=2). The leader of a jobs partition is
 * killed with SIGKILL mid-run: nothing is lost, and the same worker carries on without a restart.
 */
class BrokerFailoverIT {

  static final int JOBS = 3000;

  @Test
  void killingThePartitionLeaderMidRunLosesNothingAndTheWorkerCarriesOn() throws Exception {
    long begin = System.nanoTime();
    try (BrokerCluster cluster = BrokerCluster.start(3);
        SmtpCapture relay = SmtpCapture.start(0)) {
      relay.faults(
          Faults.delayingReplies(
              Duration.ofMillis(5))); // the run lasts seconds, so the kill lands mid-run
      Map<String, String> values =
          MinimalWorker.settings(cluster.bootstrapServers(), relay.port(), "failover");
      String topic = values.get("topic");
      values.put("smtp.connections", "4");
      values.put("topics.replication", "3");
      values.put("worker.id", "failover-worker");
      try (Worker worker = Worker.start(WorkerConfig.from(Settings.of(values)))) {
        publish(cluster.bootstrapServers(), topic);
        await().atMost(Duration.ofMinutes(2)).until(() -> relay.received() >= JOBS / 5);

        int leader = cluster.leaderOf(topic, 0);
        cluster.kill(leader);
        long atKill = worker.stats().snapshot().delivered();

        await().atMost(Duration.ofMinutes(3)).until(() -> relay.countsByMessageId().size() >= JOBS);
        await()
            .during(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    relay.received()
                        == relay.countsByMessageId().values().stream()
                            .mapToLong(Integer::longValue)
                            .sum());

        Map<String, Integer> counts = relay.countsByMessageId();
        long duplicated = counts.values().stream().filter(n -> n > 1).count();
        System.out.printf(
            "BrokerFailoverIT: %d jobs, leader of partition 0 (node %d) killed after %d deliveries; "
                + "%d distinct delivered, %d lost, %d duplicated, new leader node %d, %d s%n",
            JOBS,
            leader,
            atKill,
            counts.size(),
            JOBS - counts.size(),
            duplicated,
            cluster.leaderOf(topic, 0),
            Duration.ofNanos(System.nanoTime() - begin).toSeconds());

        assertThat(counts).hasSize(JOBS);
        for (int i = 0; i < JOBS; i++) {
          assertThat(counts).containsKey("<failover-" + i + "@example.com>");
        }
        assertThat(worker.stats().snapshot().delivered())
            .as("the same worker went on delivering")
            .isGreaterThan(atKill);
        assertThat(worker.state()).isEqualTo(WorkerState.RUNNING);
        assertThat(cluster.leaderOf(topic, 0)).isNotEqualTo(leader);
      }
    }
  }

  private static void publish(String bootstrap, String topic) {
    try (JobPublisher publisher = JobPublisher.create(PublisherConfig.of(bootstrap, topic))) {
      List<CompletableFuture<?>> sent = new ArrayList<>(JOBS);
      for (int i = 0; i < JOBS; i++) {
        sent.add(
            publisher.publish(
                Job.text(
                    "failover-" + i,
                    "shop@example.com",
                    "rcpt" + (i % 50) + "@example.net",
                    "Failover " + i,
                    "Body " + i)));
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
    }
  }
}
