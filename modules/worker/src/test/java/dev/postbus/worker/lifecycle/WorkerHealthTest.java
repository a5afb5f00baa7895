package dev.postbus.worker.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkerHealthTest {

  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
  private OpsServer ops;

  @AfterEach
  void stop() {
    if (ops != null) {
      ops.close();
    }
    executor.shutdownNow();
  }

  private WorkerHealth running() {
    return running(true);
  }

  private WorkerHealth running(boolean started) {
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
    health.watch(relays, guard(health), suppressions, null);
    if (started) {
      health.moveTo(WorkerState.RUNNING);
    }
    return health;
  }

  private static BounceGuard guard(WorkerHealth health) {
    return new BounceGuard(100, 0.08, health::onGuardTrip);
  }

  @Test
  void aStoppedLedgerWriterHoldsDeliveryAndMakesTheWorkerNotReady() {
    WorkerHealth health = running();
    assertThat(health.status().ready()).isTrue();

    health.onLedgerLost("the send ledger's writer stopped: java.lang.AssertionError");

    assertThat(health.status().ready()).isFalse();
    assertThat(health.status().reason()).contains("send ledger").contains("restart the worker");
    assertThat(health.holds().lanesHeld()).as("no send goes out unrecorded").isTrue();
    assertThat(health.status().live())
        .as("it never comes back by itself: the liveness probe has it restarted")
        .isFalse();
  }

  /**
   * A lost sender lane never comes back by itself, and can hold its partition's commit: the
   * liveness probe answers 503, saying why, so the worker is restarted.
   */
  @Test
  void aLostLaneMakesTheLivenessProbeFailWithTheReason() throws Exception {
    WorkerHealth health = running();
    ops = OpsServer.start(0, health::status, () -> "", health::resume, AdminToken.of(null));
    assertThat(get(OpsServer.LIVE_PATH).statusCode()).isEqualTo(200);

    health.onLaneLost("postbus-lane-0");

    assertThat(health.status().live()).isFalse();
    HttpResponse<String> live = get(OpsServer.LIVE_PATH);
    assertThat(live.statusCode()).isEqualTo(503);
    assertThat(live.body())
        .contains("sender lanes stopped by an unexpected error")
        .contains("restart the worker");
    assertThat(get(OpsServer.READY_PATH).statusCode()).isEqualTo(503);
  }

  /**
   * Either loss never heals: the worker is stopped as failed, naming it (`postbus worker` exits 4).
   */
  @Test
  void aLostLaneOrLedgerWriterStopsTheWorkerAsFailed() {
    WorkerHealth health = running();
    List<String> stops = new CopyOnWriteArrayList<>();
    health.whenLost(stops::add);

    health.onLaneLost("lane-2");
    health.onLedgerLost("the send ledger's writer stopped: java.lang.AssertionError");

    assertThat(stops)
        .containsExactly("sender lane-2 was lost", "the send ledger's writer was lost");
  }

  /**
   * The consumer thread may fail before the start-up ends: its drain wins, and the start-up does
   * not throw an illegal transition (which made `postbus worker` exit 1 instead of 4).
   */
  @Test
  void aDrainBegunBeforeTheStartUpEndsIsNotTurnedIntoRunning() {
    WorkerHealth health = running(false);
    assertThat(health.beginDrain()).isTrue();

    assertThat(health.startRunning()).as("not running: the drain began").isFalse();
    assertThat(health.state()).isEqualTo(WorkerState.DRAINING);

    WorkerHealth starting = running(false);
    assertThat(starting.startRunning()).isTrue();
    assertThat(starting.state()).isEqualTo(WorkerState.RUNNING);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
