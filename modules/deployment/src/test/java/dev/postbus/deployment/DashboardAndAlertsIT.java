package dev.postbus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.testkit.HttpProbe;
import dev.postbus.testkit.MinimalWorker;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.lifecycle.Worker;
import dev.postbus.worker.ops.OpsServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Grafana dashboard and the Prometheus alerts query metrics a real worker serves: a worker
 * delivers one job, its /metrics is scraped, and every postbus_* name in deploy/ and in the docs
 * that name metrics must appear in the scrape.
 */
@ExtendWith(SharedKafka.class)
class DashboardAndAlertsIT {

  /** The docs that name the worker's metrics, as an operator reads them to query Prometheus. */
  private static final java.util.List<String> WORKER_DOCS =
      java.util.List.of(
          "docs/operations.md",
          "docs/failures-and-retries.md",
          "docs/delivery-semantics.md",
          "docs/architecture.md",
          "README.md");

  @Test
  void everyMetricTheDashboardAndTheAlertsUseIsServedByTheWorker(EmbeddedKafka kafka)
      throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0)) {
      Map<String, String> settings =
          MinimalWorker.settings(kafka.bootstrapServers(), relay.port(), "deploy");
      // The guard's feedback reader, and with it the metrics docs/operations.md gives it, exists
      // only with guard.feedback on.
      settings.put("guard.feedback", "true");
      String topic = settings.get("topic");
      try (Worker worker = Worker.start(WorkerConfig.from(Settings.of(settings)));
          JobPublisher publisher =
              JobPublisher.create(PublisherConfig.of(kafka.bootstrapServers(), topic))) {
        publisher
            .publish(
                Job.text("deploy-1", "shop@example.com", "bob@example.net", "Receipt", "Thanks"))
            .join();
        await().atMost(Duration.ofSeconds(60)).until(() -> relay.received() == 1);

        System.gc(); // gauges whose objects were only weakly held would read NaN from here on
        // Lag gauges appear once the consumer has reported on its partitions.
        String scrape =
            await()
                .atMost(Duration.ofSeconds(30))
                .until(
                    () -> get(worker, OpsServer.METRICS_PATH),
                    s -> s.contains("postbus_consumer_lag{"));
        Set<String> served = Repo.metricNames(scrape);

        Set<String> dashboard =
            Repo.metricNames(Repo.text("deploy/grafana/dashboards/postbus.json"));
        Set<String> alerts = Repo.metricNames(Repo.text("deploy/prometheus/alerts.yml"));
        assertThat(dashboard).hasSizeGreaterThan(8);
        assertThat(alerts).isNotEmpty();
        assertThat(served)
            .as("metrics the worker serves")
            .containsAll(dashboard)
            .containsAll(alerts);
        for (String doc : WORKER_DOCS) {
          assertThat(served)
              .as("metrics the worker serves, by the names %s gives them", doc)
              .containsAll(Repo.metricNames(Repo.text(doc)));
        }
        assertThat(scrape)
            .contains("postbus_jobs_total{outcome=\"delivered\"")
            .doesNotContain("NaN")
            .containsPattern("postbus_ready\\{worker=\"[^\"]+\"\\} 1.0");
        assertThat(get(worker, OpsServer.LIVE_PATH)).contains("\"state\":\"RUNNING\"");
      }
    }
  }

  /**
   * Not only served: each metric the dashboard and the alerts use changes when its event happens. A
   * worker with two connections meets a slow relay (backlog: queue depth, lag), refusals (dead
   * letter, retry), a reply later than its read timeout (in doubt), an outage (relay out, not
   * ready, paused partitions, connection failures), and a bad list (the bounce-rate guard).
   */
  @Test
  void everyMetricTheDashboardAndTheAlertsUseMovesWhenItsEventHappens(EmbeddedKafka kafka)
      throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0)) {
      relay.faults(
          new Faults() {
            @Override
            public Reply recipient(String address) {
              return address.startsWith("unknown")
                  ? new Reply(550, "5.1.1 no such user")
                  : address.startsWith("later@") ? new Reply(451, "4.3.0 try again later") : null;
            }

            @Override
            public Duration replyDelay(String messageId, int offered) {
              return messageId.contains("moves-slow") && offered == 1
                  ? Duration.ofSeconds(3)
                  : Duration.ofMillis(150);
            }
          });
      Map<String, String> settings =
          MinimalWorker.settings(kafka.bootstrapServers(), relay.port(), "moves");
      String topic = settings.get("topic");
      settings.put("smtp.connections", "2");
      settings.put("smtp.read-timeout", "1s");
      settings.put("smtp.data-done-timeout", "1s"); // the slow reply is to the end of the message
      settings.put("worker.queue-capacity", "4");
      settings.put("worker.commit-interval", "100ms");
      settings.put("smtp.reconnect-backoff", "200ms");
      // the outage must not grow the probe's wait to the default minute: the guard's jobs follow it
      settings.put("smtp.reconnect-backoff-max", "1s");
      // a queue of 2 fed 5 records a poll: the jobs topic keeps a lag for seconds (a queue of 64
      // took the whole backlog in one poll, and a sample caught postbus_class_consumer_lag only by
      // luck)
      settings.put("worker.queue-capacity", "2");
      settings.put("worker.max-poll-records", "5");
      settings.put("guard.window", "20");
      settings.put("guard.max-bounce-rate", "0.5");
      try (Worker worker = Worker.start(WorkerConfig.from(Settings.of(settings)));
          JobPublisher publisher =
              JobPublisher.create(PublisherConfig.of(kafka.bootstrapServers(), topic))) {
        await().atMost(Duration.ofSeconds(60)).until(() -> worker.ownedPartitions() > 0);
        Map<String, Double> before = HttpProbe.totals(get(worker, OpsServer.METRICS_PATH));
        Set<String> moved = new java.util.concurrent.ConcurrentSkipListSet<>();
        java.util.concurrent.Callable<Set<String>> sample =
            () -> {
              HttpProbe.totals(get(worker, OpsServer.METRICS_PATH))
                  .forEach(
                      (name, value) -> {
                        if (!value.equals(before.getOrDefault(name, 0.0))) {
                          moved.add(name);
                        }
                      });
              return moved;
            };

        publisher
            .publish(
                Job.text("moves-unknown", "shop@example.com", "unknown@example.net", "Hi", "x"))
            .join();
        publisher
            .publish(Job.text("moves-later", "shop@example.com", "later@example.net", "Hi", "x"))
            .join();
        publisher
            .publish(Job.text("moves-slow", "shop@example.com", "bob@example.net", "Hi", "x"))
            .join();
        for (int i = 0;
            i < 40;
            i++) { // 150 ms a message over two connections: a backlog for a few seconds
          publisher.publish(
              Job.text("moves-" + i, "shop@example.com", "bob@example.net", "Hi", "x"));
        }
        publisher.flush();
        Set<String> traffic =
            Set.of(
                "postbus_jobs_total",
                "postbus_dead_letters_total",
                "postbus_retries_total",
                "postbus_in_doubt_total",
                "postbus_publish_to_delivered_seconds_bucket",
                "postbus_relay_delivered_total",
                "postbus_smtp_send_seconds_bucket",
                "postbus_smtp_connection_opens_total",
                "postbus_smtp_connections",
                "postbus_dispatch_queue_depth",
                "postbus_consumer_lag",
                "postbus_class_consumer_lag");
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .until(sample, m -> m.containsAll(traffic));

        relay.goDown();
        Set<String> outage =
            Set.of(
                "postbus_relay_up",
                "postbus_ready",
                "postbus_smtp_connection_failures_total",
                "postbus_partitions_paused");
        publisher
            .publish(
                Job.text("moves-during-outage", "shop@example.com", "bob@example.net", "Hi", "x"))
            .join();
        saying(
            worker,
            "the outage's metrics",
            () ->
                await()
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(sample, m -> m.containsAll(outage)));
        relay.resume();

        // a bad list: over half of the last 20 recipients unknown trips the bounce-rate guard
        for (int i = 0; i < 20; i++) {
          publisher.publish(
              Job.text(
                  "moves-bad-" + i,
                  "shop@example.com",
                  "unknown-" + i + "@example.net",
                  "Hi",
                  "x"));
        }
        publisher.flush();
        saying(
            worker,
            "the bounce-rate guard tripped by 20 jobs refused 550 after the outage",
            () ->
                await()
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(sample, m -> m.contains("postbus_guard_tripped")));

        Set<String> used =
            new java.util.TreeSet<>(
                Repo.metricNames(Repo.text("deploy/grafana/dashboards/postbus.json")));
        used.addAll(Repo.metricNames(Repo.text("deploy/prometheus/alerts.yml")));
        assertThat(moved)
            .as("every metric the dashboard and the alerts use moved when its event happened")
            .containsAll(used);
      }
    }
  }

  /**
   * Runs a wait; should it time out, fails naming what the worker saw: its state, its readiness
   * answer, and the jobs, relay and guard lines of a scrape.
   */
  private static void saying(Worker worker, String what, Runnable wait) throws Exception {
    try {
      wait.run();
    } catch (ConditionTimeoutException e) {
      HttpResponse<String> ready = HttpProbe.get(worker.httpPort(), OpsServer.READY_PATH);
      String scrape =
          HttpProbe.get(worker.httpPort(), OpsServer.METRICS_PATH)
              .body()
              .lines()
              .filter(
                  l ->
                      l.startsWith("postbus_jobs_total")
                          || l.startsWith("postbus_relay_up")
                          || l.startsWith("postbus_guard_"))
              .collect(Collectors.joining("\n"));
      throw new AssertionError(
          "waited in vain for "
              + what
              + "; the worker is "
              + worker.state()
              + ", "
              + OpsServer.READY_PATH
              + " answers "
              + ready.statusCode()
              + " "
              + ready.body()
              + ", and its scrape says:\n"
              + scrape,
          e);
    }
  }

  private static String get(Worker worker, String path) throws Exception {
    HttpResponse<String> r = HttpProbe.get(worker.httpPort(), path);
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return r.body();
  }
}
