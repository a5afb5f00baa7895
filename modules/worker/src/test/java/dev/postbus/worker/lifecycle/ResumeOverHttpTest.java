package dev.postbus.worker.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.suppression.SuppressionSet;
import dev.postbus.suppression.SuppressionWriter;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.ops.AdminToken;
import dev.postbus.worker.ops.OpsServer;
import dev.postbus.worker.relay.Relays;
import dev.postbus.worker.reputation.BounceGuard;
import dev.postbus.worker.reputation.Suppressions;
import io.github.resilience4j.core.IntervalFunction;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /admin/resume} over real HTTP, with Kafka (a MockProducer that answers only when
 * told) not acknowledging the resume: 503, and the worker stays paused; once Kafka takes it, 200.
 */
class ResumeOverHttpTest {

  private static final String TOKEN = "0123456789abcdef-resume";
  private final MockProducer<byte[], byte[]> kafka =
      new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
  private OpsServer ops;

  @AfterEach
  void stop() {
    if (ops != null) {
      ops.close();
    }
    executor.shutdownNow();
  }

  private WorkerHealth pausedByTheGuard(Path token) {
    WorkerConfig config =
        WorkerConfig.from(
            Settings.of(
                Map.of(
                    "smtp.host", "127.0.0.1",
                    "smtp.tls", "none",
                    "http.admin-token-file", token.toString())));
    Clock clock = Clock.systemUTC();
    WorkerHealth health = new WorkerHealth(config, clock, Duration.ofMillis(300));
    Relays relays =
        new Relays(
            config.relays(),
            config.relayMode(),
            null,
            IntervalFunction.of(Duration.ofMillis(100)),
            clock,
            health::onRelayChange);
    Suppressions suppressions =
        new Suppressions(
            new SuppressionSet(),
            config.reputation().suppressionCodes(),
            new SuppressionWriter(kafka, "jobs.suppressions"),
            executor,
            clock);
    BounceGuard guard = new BounceGuard(100, 0.08, health::onGuardTrip);
    health.watch(relays, guard, suppressions, null);
    health.moveTo(WorkerState.RUNNING);
    guard.hold("bounce rate 0.50 over the last 100 recipients");
    health.reconsiderPause();
    return health;
  }

  private CompletableFuture<HttpResponse<String>> postResume() {
    return HttpClient.newHttpClient()
        .sendAsync(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + ops.port() + OpsServer.RESUME_PATH))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aResumeKafkaDoesNotAcknowledgeIs503AndTheWorkerStaysPausedUntilOneIs(@TempDir Path dir)
      throws Exception {
    Path token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
    WorkerHealth health = pausedByTheGuard(token);
    ops =
        OpsServer.start(
            0, health::status, () -> "", health::resume, AdminToken.of(token.toString()));
    assertThat(health.state()).isEqualTo(WorkerState.PAUSED);

    HttpResponse<String> refused = postResume().get();
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.body())
        .contains("\"resumed\":false")
        .contains("did not acknowledge the resume")
        .contains("delivery stays paused");
    assertThat(health.state())
        .as("still paused: the group did not get the resume")
        .isEqualTo(WorkerState.PAUSED);
    assertThat(health.holds().lanesHeld()).isTrue();

    int before = kafka.history().size();
    CompletableFuture<HttpResponse<String>> second = postResume();
    await().atMost(Duration.ofSeconds(5)).until(() -> kafka.history().size() > before);
    while (kafka.completeNext()) {} // Kafka acknowledges everything it was sent
    HttpResponse<String> resumed = second.get();
    assertThat(resumed.statusCode()).isEqualTo(200);
    assertThat(resumed.body()).contains("\"resumed\":true");
    assertThat(health.state()).isEqualTo(WorkerState.RUNNING);
  }
}
