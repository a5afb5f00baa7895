package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.feedback.FeedbackServer;
import dev.postbus.feedback.config.FeedbackConfig;
import dev.postbus.job.Job;
import dev.postbus.testkit.HttpProbe;
import dev.postbus.testkit.MinimalWorker;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.lifecycle.Worker;
import dev.postbus.worker.lifecycle.WorkerState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Complaints posted to a real feedback receiver, hours after a real worker delivered through a real
 * SMTP server, trip the worker's guard at their own limit (guard.max-complaint-rate), over a real
 * broker.
 */
@ExtendWith(SharedKafka.class)
class FeedbackGuardIT {

  private static final int JOBS = 100;
  private static final String TOKEN = "feedback-guard-it-token-0123";

  @Test
  void complaintsPostedToTheReceiverPauseDeliveryAndSayWhy(EmbeddedKafka kafka, @TempDir Path dir)
      throws Exception {
    Map<String, String> s = MinimalWorker.settings(kafka.bootstrapServers(), 0, "fbguard");
    Path token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
    try (SmtpCapture relay = SmtpCapture.start(0);
        FeedbackServer receiver =
            FeedbackServer.start(
                FeedbackConfig.builder(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()), s.get("topic"))
                    .port(0)
                    .eventsTopic(s.get("events.topic"))
                    .genericTokenFile(token)
                    .build())) {
      s.put("smtp.port", Integer.toString(relay.port()));
      s.put("guard.feedback", "true");
      s.put("guard.window", "100"); // judged from 100 recipients; complaints from 0.3% (default)
      try (Worker worker = Worker.start(WorkerConfig.from(Settings.of(s)))) {
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
          jobs.add(
              Job.text("fbg-" + i, "news@example.com", "reader-" + i + "@example.net", "s", "t"));
        }
        try (JobPublisher p =
            JobPublisher.create(PublisherConfig.of(kafka.bootstrapServers(), s.get("topic")))) {
          for (Job j : jobs) {
            p.publish(j).join();
          }
        }
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> worker.stats().snapshot().delivered() == JOBS);
        assertThat(worker.state()).isEqualTo(WorkerState.RUNNING);

        for (int i = 5; i < 8; i++) { // a trip needs 3 complaints besides the rate
          HttpResponse<String> posted =
              complaint(receiver.url(), "fbg-" + i, "Reader-" + i + "@example.net");
          assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> worker.state() == WorkerState.PAUSED);
        assertThat(worker.status().reason())
            .contains("complaint rate 3.00% of the 100 recipients sent within 1d")
            .contains("guard.max-complaint-rate 0.30%");
        HttpResponse<String> ready = HttpProbe.get(worker.httpPort(), "/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("complaint rate 3.00%");
        String scrape = HttpProbe.get(worker.httpPort(), "/metrics").body();
        assertThat(scrape)
            .containsPattern("postbus_guard_tripped_by\\{cause=\"complaints\"[^}]*} 1.0");
        assertThat(scrape)
            .containsPattern("postbus_guard_tripped_by\\{cause=\"bounces\"[^}]*} 0.0");
        assertThat(HttpProbe.metric(scrape, "postbus_guard_complaint_rate")).isEqualTo(0.03);
      }
    }
  }

  private static HttpResponse<String> complaint(String url, String jobId, String recipient)
      throws Exception {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(url + "/feedback/generic"))
            .header("Authorization", "Bearer " + TOKEN)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"type\":\"complaint\",\"recipient\":\""
                        + recipient
                        + "\",\"jobId\":\""
                        + jobId
                        + "\",\"eventId\":\"fbg-complaint-"
                        + jobId
                        + "\"}"))
            .build();
    return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString());
  }
}
