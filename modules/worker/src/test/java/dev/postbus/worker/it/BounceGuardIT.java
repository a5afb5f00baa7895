package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.testkit.HttpProbe;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.lifecycle.Worker;
import dev.postbus.worker.lifecycle.WorkerState;
import dev.postbus.worker.ops.OpsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The bounce-rate guard with a real worker, broker and SMTP server. */
@ExtendWith(SharedKafka.class)
class BounceGuardIT {

  private static final int JOBS = 400;
  private static final String TOKEN = "bounce-guard-it-admin-token";
  private static final Map<String, String> GUARD =
      Map.of(
          "guard.window", "100", "guard.max-bounce-rate", "0.08", "http.admin-token-file", token());

  /** The token file the worker reads for /admin/* (postbus resume sends its token). */
  private static String token() {
    try {
      java.nio.file.Path file = java.nio.file.Files.createTempFile("postbus-admin", ".token");
      file.toFile().deleteOnExit();
      return java.nio.file.Files.writeString(file, TOKEN + "\n").toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Refuses unknown-… recipients with 550 5.1.1 while {@code refusing}; counts every RCPT. */
  static final class UnknownUsers implements Faults {
    final AtomicBoolean refusing = new AtomicBoolean(true);
    final AtomicInteger offered = new AtomicInteger();

    @Override
    public Reply recipient(String address) {
      offered.incrementAndGet();
      return refusing.get() && address.startsWith("unknown-")
          ? new Reply(550, "5.1.1 User unknown")
          : null;
    }
  }

  /** {@code percent} of every hundred jobs go to unknown users, spread through the batch. */
  private static List<Job> batch(String prefix, int percent) {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < JOBS; i++) {
      boolean unknown = (i * 37) % 100 < percent;
      jobs.add(
          Job.text(
              prefix + "-" + i,
              "shop@example.com",
              (unknown ? "unknown-" : "user-") + i + "@example.net",
              "s",
              "t"));
    }
    return jobs;
  }

  @Test
  void aBadBatchPausesDeliveryUntilResumedAndLosesNothing(EmbeddedKafka kafka) throws Exception {
    UnknownUsers faults = new UnknownUsers();
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.faults(faults);
      f.publish(batch("bad", 30));
      Worker w = f.start(f.config(relay.port(), 2, "guard-bad", GUARD));

      await().atMost(Duration.ofSeconds(30)).until(() -> w.state() == WorkerState.PAUSED);
      HttpResponse<String> ready = HttpProbe.get(w.httpPort(), OpsServer.READY_PATH);
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).containsPattern("bounce rate \\d+\\.\\d% over the last 100 sends");
      // Held: nothing more reaches the relay while paused.
      int atPause = faults.offered.get();
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(5))
          .until(() -> faults.offered.get() <= atPause + 2); // at most a lane's send under way
      long finishedAtPause = finished(w);
      assertThat(finishedAtPause).isLessThan(JOBS);

      faults.refusing.set(false); // the operator cleaned the list
      assertThat(post(w.httpPort(), OpsServer.RESUME_PATH, null).statusCode()).isEqualTo(401);
      assertThat(post(w.httpPort(), OpsServer.RESUME_PATH, TOKEN).statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(60)).until(() -> finished(w) == JOBS);

      assertThat(w.state()).isEqualTo(WorkerState.RUNNING);
      assertThat(relay.countsByMessageId().values()).allMatch(n -> n == 1);
      assertThat(relay.received() + w.stats().snapshot().deadLettered()).isEqualTo(JOBS);
      assertThat(post(w.httpPort(), OpsServer.RESUME_PATH, TOKEN).statusCode()).isEqualTo(409);
    }
  }

  @Test
  void aTrippedGuardDoesNotHoldARebalanceForTheDrainTimeout(EmbeddedKafka kafka) throws Exception {
    UnknownUsers faults = new UnknownUsers();
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.faults(faults);
      f.publish(batch("held", 30));
      Map<String, String> settings = new java.util.HashMap<>(GUARD);
      settings.put("worker.drain-timeout", "2m"); // what a held lane would make a rebalance wait
      Worker a = f.start(f.config(relay.port(), 2, "guard-a", settings));
      await().atMost(Duration.ofSeconds(30)).until(() -> a.state() == WorkerState.PAUSED);

      faults.refusing.set(false);
      long joined = System.nanoTime();
      Worker b = f.start(f.config(relay.port(), 2, "guard-b", settings));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> b.ownedPartitions() > 0 && a.ownedPartitions() < Fixtures.PARTITIONS);
      long seconds =
          java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - joined);
      assertThat(seconds)
          .as("the rebalance completed without waiting for held lanes")
          .isLessThan(20);

      assertThat(post(a.httpPort(), OpsServer.RESUME_PATH, TOKEN).statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(90)).until(() -> finished(a) + finished(b) >= JOBS);
      assertThat(relay.countsByMessageId().values()).allMatch(n -> n == 1);
      assertThat(
              relay.received()
                  + a.stats().snapshot().deadLettered()
                  + b.stats().snapshot().deadLettered())
          .isEqualTo(JOBS);
    }
  }

  @Test
  void aTripHoldsAcrossARestartAndForTheGroupUntilResumed(EmbeddedKafka kafka) throws Exception {
    UnknownUsers faults = new UnknownUsers();
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.faults(faults);
      f.publish(batch("kept", 30));
      Worker first = f.start(f.config(relay.port(), 2, "guard-first", GUARD));
      await().atMost(Duration.ofSeconds(30)).until(() -> first.state() == WorkerState.PAUSED);
      first.close(); // a crash-looping pod, or a restart to "fix" it

      Worker second = f.start(f.config(relay.port(), 2, "guard-second", GUARD));
      Worker third = f.start(f.config(relay.port(), 2, "guard-third", GUARD));
      for (Worker w : List.of(second, third)) {
        await().atMost(Duration.ofSeconds(30)).until(() -> w.state() == WorkerState.PAUSED);
        assertThat(HttpProbe.get(w.httpPort(), OpsServer.READY_PATH).body())
            .containsPattern("bounce rate \\d+\\.\\d% over the last 100 sends");
      }
      int atRestart = faults.offered.get();

      faults.refusing.set(false); // the operator cleaned the list
      assertThat(post(second.httpPort(), OpsServer.RESUME_PATH, TOKEN).statusCode()).isEqualTo(200);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> second.state() == WorkerState.RUNNING && third.state() == WorkerState.RUNNING);
      await().atMost(Duration.ofSeconds(90)).until(() -> faults.offered.get() > atRestart);
      second.close();
      Worker fourth = f.start(f.config(relay.port(), 2, "guard-fourth", GUARD));
      assertThat(fourth.state()).as("resumed for good").isEqualTo(WorkerState.RUNNING);
    }
  }

  @Test
  void aGoodBatchNeverTripsIt(EmbeddedKafka kafka) throws Exception {
    UnknownUsers faults = new UnknownUsers();
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.faults(faults);
      f.publish(batch("good", 1));
      Worker w = f.start(f.config(relay.port(), 2, "guard-good", GUARD));

      await().atMost(Duration.ofSeconds(60)).until(() -> finished(w) == JOBS);

      assertThat(w.state()).isEqualTo(WorkerState.RUNNING);
      assertThat(w.stats().snapshot().deadLettered()).isEqualTo(4);
      assertThat(relay.received()).isEqualTo(JOBS - 4);
    }
  }

  private static long finished(Worker w) {
    return w.stats().snapshot().delivered() + w.stats().snapshot().deadLettered();
  }

  private static HttpResponse<String> post(int port, String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .POST(HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
