package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.testkit.HttpProbe;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.lifecycle.Worker;
import dev.postbus.worker.lifecycle.WorkerState;
import dev.postbus.worker.relay.Relay;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A relay that is down, or refuses our credentials, is not the messages' fault: nothing is
 * dead-lettered.
 */
@ExtendWith(SharedKafka.class)
class RelayProblemsIT {

  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  /**
   * The outage lasts several failed probes (5 s at backoff steps of up to 0.4 s; each probe is two
   * failed connection attempts, {@code retry.fresh-connection-attempts}): each probe takes a real
   * job to the relay, and none of them may be dead-lettered. (The jobs in flight when the relay
   * went away are real attempts, in doubt after the end of data, so a probe counted against its job
   * cannot be told from them by dead-lettering at one attempt.)
   */
  @Test
  void relayDownForADozenProbesMidRunLosesAndDeadLettersNothing(EmbeddedKafka kafka)
      throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.faults(Faults.delayingReplies(Duration.ofMillis(5)));
      f.publish("down", 1000);
      Worker w =
          f.start(
              f.config(
                  relay.port(),
                  4,
                  "down",
                  Map.of(
                      "smtp.reconnect-backoff", "100ms", "smtp.reconnect-backoff-max", "400ms")));
      await().atMost(Duration.ofMinutes(1)).until(() -> relay.received() >= 200);

      relay.goDown();
      long downAt = System.nanoTime();
      await().atMost(Duration.ofSeconds(15)).until(() -> w.state() == WorkerState.PAUSED);
      HttpResponse<String> notReady = HttpProbe.get(w.httpPort(), "/health/ready");
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(notReady.body())
          .contains("\"state\":\"PAUSED\"")
          .contains("relay problem: connect failed");
      assertThat(HttpProbe.get(w.httpPort(), "/health/live").statusCode())
          .as("paused is still alive")
          .isEqualTo(200);
      assertThat(
              HttpProbe.metric(
                  HttpProbe.get(w.httpPort(), "/metrics").body(),
                  "postbus_smtp_connection_failures_total"))
          .as("the refused connections are counted")
          .isPositive();
      // Not ready, and nothing dead-lettered, for the whole rest of the 5 s outage: backoff steps
      // of 0.1, 0.2, then 0.4 s (with jitter) make several probes, each two failed connections.
      long failuresAtPause = w.stats().snapshot().connectionFailures();
      await()
          .during(Duration.ofSeconds(5).minusNanos(System.nanoTime() - downAt))
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> !w.state().ready() && w.stats().snapshot().deadLettered() == 0);
      long probes = w.stats().snapshot().connectionFailures() - failuresAtPause;
      relay.resume();
      long downSeconds = (System.nanoTime() - downAt) / 1_000_000_000;
      assertThat(probes)
          .as("failed connection attempts while paused (two per probe)")
          .isGreaterThanOrEqualTo(6);

      await().atMost(Duration.ofMinutes(2)).until(() -> relay.countsByMessageId().size() >= 1000);
      assertThat(w.state()).isEqualTo(WorkerState.RUNNING);
      assertThat(HttpProbe.get(w.httpPort(), "/health/ready").statusCode()).isEqualTo(200);
      assertThat(w.stats().snapshot().deadLettered()).isZero();
      assertThat(relay.countsByMessageId()).hasSize(1000);
      assertThat(f.read(f.topic + ".dlt", 1, Duration.ofSeconds(2))).isEmpty();
      System.out.printf(
          "RelayProblemsIT figures: relay down %d s (not ready throughout, %d failed probes while"
              + " paused); delivered %d of 1000; dead-lettered %d%n",
          downSeconds,
          probes,
          relay.countsByMessageId().size(),
          w.stats().snapshot().deadLettered());
    }
  }

  @Test
  void wrongPasswordDeadLettersNothingAndIsReportedOncePerBackoffStep(EmbeddedKafka kafka)
      throws Exception {
    Logger relayLog = (Logger) LoggerFactory.getLogger(Relay.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    relayLog.addAppender(lines);
    greenMail.getUserManager().setAuthRequired(true);
    try (Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      greenMail.setUser("sender@example.com", "sender", "right");
      f.publish("auth", 50);
      Map<String, String> auth =
          Map.of(
              "smtp.username",
              "sender",
              "smtp.password",
              "wrong",
              "smtp.auth-over-plaintext",
              "allow", // GreenMail here has no TLS
              "smtp.reconnect-backoff",
              "500ms",
              "smtp.reconnect-backoff-max",
              "1s");
      Worker wrong = f.start(f.config(greenMail.getSmtp().getPort(), 4, "auth-wrong", auth));
      await().atMost(Duration.ofSeconds(20)).until(() -> wrong.state() == WorkerState.PAUSED);
      // Four seconds of probing: nothing sent, nothing dead-lettered, still paused.
      await()
          .during(Duration.ofSeconds(4))
          .atMost(Duration.ofSeconds(6))
          .until(
              () ->
                  wrong.state() == WorkerState.PAUSED
                      && wrong.stats().snapshot().deadLettered() == 0
                      && greenMail.getReceivedMessages().length == 0);
      long reports =
          lines.list.stream()
              .filter(e -> e.getFormattedMessage().contains("authentication failed"))
              .count();
      assertThat(reports)
          .as("once per backoff step (4 s at 0.5-1 s steps), not once per job or lane")
          .isBetween(1L, 10L);
      assertThat(lines.list).noneMatch(e -> e.getFormattedMessage().contains("wrong"));
      assertThat(wrong.stats().snapshot().deadLettered()).isZero();
      System.out.printf(
          "RelayProblemsIT figures: 535 reported %d times in 4 s for 50 jobs on 4 lanes%n",
          reports);
      assertThat(greenMail.getReceivedMessages()).isEmpty();
      wrong.close();

      Worker right =
          f.start(
              f.config(
                  greenMail.getSmtp().getPort(),
                  4,
                  "auth-right",
                  Map.of(
                      "smtp.username",
                      "sender",
                      "smtp.password",
                      "right",
                      "smtp.auth-over-plaintext",
                      "allow")));
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> greenMail.getReceivedMessages().length >= 50);
      assertThat(EndToEndIT.countByMessageId(greenMail.getReceivedMessages())).hasSize(50);
      assertThat(right.stats().snapshot().deadLettered()).isZero();
      assertThat(f.read(f.topic + ".dlt", 1, Duration.ofSeconds(2))).isEmpty();
    } finally {
      greenMail.getUserManager().setAuthRequired(false);
      relayLog.detachAppender(lines);
    }
  }
}
