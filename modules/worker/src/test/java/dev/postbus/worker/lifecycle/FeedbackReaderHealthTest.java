package dev.postbus.worker.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.suppression.SuppressionSet;
import dev.postbus.suppression.SuppressionWriter;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.ops.AdminToken;
import dev.postbus.worker.ops.OpsServer;
import dev.postbus.worker.ops.ResumeAnswer;
import dev.postbus.worker.relay.Relays;
import dev.postbus.worker.reputation.BounceGuard;
import dev.postbus.worker.reputation.Suppressions;
import io.github.resilience4j.core.IntervalFunction;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The feedback reader's state is a detail of the worker's health, over real HTTP; a reader that
 * cannot read leaves the worker ready (feedback is advisory: delivery goes on).
 */
class FeedbackReaderHealthTest {

  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
  private final AtomicReference<String> reader = new AtomicReference<>("up");
  private OpsServer ops;

  @AfterEach
  void stop() {
    if (ops != null) {
      ops.close();
    }
    executor.shutdownNow();
  }

  private WorkerHealth running() {
    WorkerConfig config =
        WorkerConfig.from(Settings.of(Map.of("smtp.host", "127.0.0.1", "smtp.tls", "none")));
    Clock clock = Clock.systemUTC();
    WorkerHealth health = new WorkerHealth(config, clock);
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
            new SuppressionWriter(
                new MockProducer<>(
                    true, null, new ByteArraySerializer(), new ByteArraySerializer()),
                "jobs.suppressions"),
            executor,
            clock);
    health.watch(
        relays, new BounceGuard(100, 0.08, health::onGuardTrip), suppressions, reader::get);
    health.moveTo(WorkerState.RUNNING);
    return health;
  }

  private HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aFeedbackReaderThatCannotReadIsShownOnHealthAndTheWorkerStaysReady() throws Exception {
    WorkerHealth health = running();
    ops =
        OpsServer.start(
            0, health::status, () -> "", () -> ResumeAnswer.NOT_HELD, AdminToken.of(null));

    assertThat(get(OpsServer.READY_PATH).body()).contains("\"feedbackReader\":\"up\"");

    reader.set("down");
    HttpResponse<String> ready = get(OpsServer.READY_PATH);
    assertThat(ready.statusCode()).as("still ready: delivery goes on").isEqualTo(200);
    assertThat(ready.body()).contains("\"status\":\"up\"").contains("\"feedbackReader\":\"down\"");
    assertThat(get(OpsServer.LIVE_PATH).body()).contains("\"feedbackReader\":\"down\"");
    assertThat(health.status().ready()).isTrue();
  }

  @Test
  void withoutAFeedbackReaderHealthSaysNothingOfIt() throws Exception {
    reader.set(null);
    WorkerHealth health = running();
    ops =
        OpsServer.start(
            0, health::status, () -> "", () -> ResumeAnswer.NOT_HELD, AdminToken.of(null));
    assertThat(get(OpsServer.READY_PATH).body()).doesNotContain("feedbackReader");
  }
}
