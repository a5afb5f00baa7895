package dev.postbus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.lifecycle.OpsServer;
import dev.postbus.worker.lifecycle.Worker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Grafana dashboard and the Prometheus alerts query metrics a real worker serves: a worker delivers one
 * job, its /metrics is scraped, and every postbus_* name in deploy/ must appear in the scrape.
 */
@ExtendWith(SharedKafka.class)
class DashboardAndAlertsIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void everyMetricTheDashboardAndTheAlertsUseIsServedByTheWorker(EmbeddedKafka kafka) throws Exception {
    String topic = SharedKafka.uniqueName("deploy-jobs");
    try (SmtpCapture relay = SmtpCapture.start(0);
        Worker worker = Worker.start(WorkerConfig.from(Settings.of(Map.of(
            "kafka.bootstrap-servers", kafka.bootstrapServers(),
            "topic", topic,
            "group", SharedKafka.uniqueName("deploy-group"),
            "events.topic", SharedKafka.uniqueName("deploy-events"),
            "smtp.host", "127.0.0.1",
            "smtp.port", Integer.toString(relay.port()),
            "smtp.tls", "none",
            "http.port", "0"))));
        JobPublisher publisher = JobPublisher.create(PublisherConfig.of(kafka.bootstrapServers(), topic))) {
      publisher.publish(Job.text("deploy-1", "shop@example.com", "bob@example.net", "Receipt", "Thanks")).join();
      await().atMost(Duration.ofSeconds(60)).until(() -> relay.received() == 1);

      System.gc(); // gauges whose objects were only weakly held would read NaN from here on
      // Lag gauges appear once the consumer has reported on its partitions.
      String scrape = await().atMost(Duration.ofSeconds(30))
          .until(() -> get(worker, OpsServer.METRICS_PATH), s -> s.contains("postbus_consumer_lag{"));
      Set<String> served = Repo.metricNames(scrape);

      Set<String> dashboard = Repo.metricNames(Repo.text("deploy/grafana/dashboards/postbus.json"));
      Set<String> alerts = Repo.metricNames(Repo.text("deploy/prometheus/alerts.yml"));
      assertThat(dashboard).hasSizeGreaterThan(8);
      assertThat(alerts).isNotEmpty();
      assertThat(served).as("metrics the worker serves").containsAll(dashboard).containsAll(alerts);
      assertThat(scrape).contains("postbus_jobs_total{outcome=\"delivered\"").doesNotContain("NaN")
          .containsPattern("postbus_ready\\{worker=\"[^\"]+\"\\} 1.0");
      assertThat(get(worker, OpsServer.LIVE_PATH)).contains("\"state\":\"RUNNING\"");
    }
  }

  private static String get(Worker worker, String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.httpPort() + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return r.body();
  }
}
