package dev.postbus.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.feedback.config.FeedbackConfig;
import dev.postbus.testkit.SharedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * When Kafka does not acknowledge (here: the feedback topic is missing and the broker creates no
 * topics), the receiver answers 503 so that the provider retries, and the retry is not taken for a
 * repeat.
 */
@ExtendWith(SharedKafka.class)
class KafkaUnavailableIT {

  @Test
  void noAcknowledgementMeans503AndTheRetryIsNotARepeat(EmbeddedKafka kafka, @TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve("token"), "generic-token-0123456789");
    try (FeedbackServer server =
        FeedbackServer.start(
            FeedbackConfig.builder(
                    Map.of("bootstrap.servers", kafka.bootstrapServers()),
                    SharedKafka.uniqueName("absent"))
                .port(0)
                .createTopics(false)
                .eventsTopic(null)
                .kafkaTimeout(Duration.ofSeconds(1))
                .genericTokenFile(dir.resolve("token"))
                .build())) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(server.url() + "/feedback/generic"))
              .header("Authorization", "Bearer generic-token-0123456789")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"type\":\"bounce\",\"bounceClass\":\"permanent\","
                          + "\"recipient\":\"a@example.net\",\"eventId\":\"ev-1\"}"))
              .build();
      HttpClient http = HttpClient.newHttpClient();

      HttpResponse<String> first = http.send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(first.statusCode()).as(first.body()).isEqualTo(503);
      assertThat(first.body()).contains("Kafka did not acknowledge");
      HttpResponse<String> retry = http.send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(retry.statusCode()).as("a retry is written again, not dropped").isEqualTo(503);
      String metrics =
          http.send(
                  HttpRequest.newBuilder(URI.create(server.url() + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(metrics)
          .contains("postbus_feedback_rejected_total{provider=\"generic\",reason=\"kafka\"} 2.0");
    }
  }
}
