package dev.postbus.worker.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpConfig;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** A relay out with no job in any lane: the worker probes it itself. */
class RelayProberTest {

  /** A clock the test moves. */
  private static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-12-07T10:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  private static final Duration BACKOFF = Duration.ofSeconds(1);

  private final TestClock clock = new TestClock();
  private final List<Boolean> allOut = new ArrayList<>();
  private final WorkerConfig config = WorkerConfig.from(Settings.of(Map.of("relays", "a")));
  private final Relays relays =
      new Relays(
          config.relays(),
          config.relayMode(),
          null,
          IntervalFunction.of(BACKOFF),
          clock,
          allOut::add);
  private final Relay a = relays.all().get(0);
  private final List<SmtpConfig> dialled = new ArrayList<>();

  private RelayProber prober(Supplier<SendOutcome> answers) {
    return prober(relays, answers);
  }

  private RelayProber prober(Relays on, Supplier<SendOutcome> answers) {
    return new RelayProber(
        on,
        clock,
        smtp -> {
          dialled.add(smtp);
          return answers.get();
        },
        config.failures().classifier());
  }

  private void after(Duration d) {
    clock.now = clock.now.plus(d);
  }

  @Test
  void aRelayOutWithNoJobInHandComesBackByTheWorkersOwnProbe() {
    Deque<SendOutcome> answers = new ArrayDeque<>();
    answers.add(new SendOutcome.ConnectFailed("connect failed: Connection refused"));
    RelayProber prober = prober(() -> answers.isEmpty() ? null : answers.poll());
    a.failed("connect failed: Connection refused");
    assertThat(relays.allOut()).isTrue();

    after(BACKOFF);
    prober.probeDue();
    assertThat(dialled).as("a lane holding a job probes first, within the grace").isEmpty();

    after(RelayProber.GRACE.plusMillis(1));
    prober.probeDue();
    assertThat(dialled).hasSize(1);
    assertThat(a.state()).as("still refused: out again").isEqualTo(RelayState.OUT);

    after(BACKOFF.plus(RelayProber.GRACE).plusMillis(1));
    prober.probeDue();
    assertThat(dialled).hasSize(2);
    assertThat(a.state()).as("the relay answered a probe no job made").isEqualTo(RelayState.UP);
    assertThat(relays.allOut()).isFalse();
    assertThat(allOut).containsExactly(true, false);
  }

  @Test
  void aProbeThatThrowsEndsOnceAndTheRelayIsProbedAgain() {
    Deque<Supplier<SendOutcome>> answers = new ArrayDeque<>();
    answers.add(
        () -> {
          throw new IllegalStateException("a bug of ours");
        });
    answers.add(
        () -> {
          throw new AssertionError("an Error of ours");
        });
    answers.add(() -> null);
    RelayProber prober = prober(() -> answers.poll().get());
    a.failed("connect failed: Connection refused");

    after(BACKOFF.plus(RelayProber.GRACE).plusMillis(1));
    prober.probeDue();
    assertThat(a.state()).as("a failed probe, not probing for good").isEqualTo(RelayState.OUT);
    assertThat(a.problem()).isEqualTo("probe failed: java.lang.IllegalStateException");
    after(BACKOFF.plus(RelayProber.GRACE).plusMillis(1));
    prober.probeDue();
    assertThat(a.state()).isEqualTo(RelayState.OUT);
    after(BACKOFF.plus(RelayProber.GRACE).plusMillis(1));
    prober.probeDue();
    assertThat(a.state()).isEqualTo(RelayState.UP);
    assertThat(dialled).hasSize(3);
  }

  @Test
  void aRelayRefusalThatIsNotTheRelaysAbandonsTheProbe() {
    RelayProber prober =
        prober(() -> new SendOutcome.Unwritable("the message could not be written"));
    a.failed("connect failed: Connection refused");
    after(BACKOFF.plus(RelayProber.GRACE).plusMillis(1));
    prober.probeDue();
    assertThat(a.state()).isEqualTo(RelayState.OUT);
    assertThat(a.problem()).isEqualTo("connect failed: Connection refused");
  }

  @Test
  void aProbesSessionDoesNotResetTheBackoffOfARelayThatRefusesAtMail() {
    WorkerConfig two = WorkerConfig.from(Settings.of(Map.of("relays", "a,b")));
    Relays failover =
        new Relays(
            two.relays(),
            two.relayMode(),
            null,
            IntervalFunction.ofExponentialBackoff(BACKOFF, 2),
            clock,
            allOut::add);
    Relay first = failover.all().get(0);
    RelayProber prober = prober(failover, () -> null);
    first.failed("MAIL refused with 530");

    after(BACKOFF.plus(RelayProber.GRACE).plusMillis(1));
    prober.probeDue();
    assertThat(first.state()).as("its session opens: up").isEqualTo(RelayState.UP);

    first.failed("MAIL refused with 530");
    assertThat(Duration.between(clock.now, first.outUntil()))
        .as("only a real answer resets the backoff; a session that opens does not")
        .isGreaterThanOrEqualTo(BACKOFF.multipliedBy(2));
  }

  @Test
  void aJobsAnswerAfterAProbesSessionStillResetsTheBackoff() {
    Relays exp = relaysOf("a,b", IntervalFunction.ofExponentialBackoff(BACKOFF, 2));
    Relay first = exp.all().get(0);
    RelayProber prober = prober(exp, () -> null);
    first.failed("MAIL refused with 530");
    after(BACKOFF.plus(RelayProber.GRACE).plusMillis(1));
    prober.probeDue();
    assertThat(first.state()).isEqualTo(RelayState.UP);

    first.answered(); // a lane's job got a real answer
    first.failed("connect failed: Connection refused");
    assertThat(Duration.between(clock.now, first.outUntil()))
        .as("a job's answer resets the backoff, even on a relay already up")
        .isEqualTo(BACKOFF);
  }

  private Relays relaysOf(String names, IntervalFunction backoff) {
    WorkerConfig c = WorkerConfig.from(Settings.of(Map.of("relays", names)));
    return new Relays(c.relays(), c.relayMode(), null, backoff, clock, allOut::add);
  }

  @Test
  void aProbeThatThrowsEveryTimeBacksOffAsAFailedProbe() {
    Relays exp = relaysOf("a", IntervalFunction.ofExponentialBackoff(BACKOFF, 2));
    RelayProber prober =
        prober(
            exp,
            () -> {
              throw new IllegalStateException("a bug of ours");
            });
    exp.all().get(0).failed("connect failed: Connection refused");
    for (int i = 0; i < 40; i++) {
      after(RelayProber.EVERY);
      prober.probeDue();
    }
    assertThat(dialled).as("dials in 10 simulated seconds").hasSizeLessThanOrEqualTo(3);
  }

  @Test
  void aRelayThatIsUpIsNotTakenForAProbe() {
    assertThat(a.state()).isEqualTo(RelayState.UP);
    assertThat(a.take(clock.now)).as("a lane brought it up: nothing to probe").isFalse();
  }

  @Test
  void closeEndsAProbingPass() throws Exception {
    Relays three = relaysOf("a,b,c", IntervalFunction.of(BACKOFF));
    CountDownLatch dialling = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    RelayProber prober =
        prober(
            three,
            () -> {
              dialling.countDown();
              try {
                release.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return null;
            });
    three.all().forEach(r -> r.failed("connect failed: Connection refused"));
    after(BACKOFF.plus(RelayProber.GRACE).plusMillis(1));
    Thread pass = new Thread(prober::probeDue);
    pass.start();
    assertThat(dialling.await(10, TimeUnit.SECONDS)).isTrue();
    prober.close();
    release.countDown();
    pass.join(10_000);
    assertThat(dialled).as("no relay is probed after close").hasSize(1);
  }

  @Test
  void aBlackHoledRelayDoesNotDelayTheProbeOfAnother() throws Exception {
    Relays two = relaysOf("a,b", IntervalFunction.of(BACKOFF));
    Relay first = two.all().get(0);
    Relay second = two.all().get(1);
    CountDownLatch never = new CountDownLatch(1);
    RelayProber prober =
        new RelayProber(
            two,
            clock,
            smtp -> {
              if (smtp == first.config().smtp()) {
                try {
                  never.await(5, TimeUnit.SECONDS); // a black hole: connect timeout
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                return new SendOutcome.ConnectFailed("connect timed out");
              }
              return null;
            },
            config.failures().classifier());
    first.failed("connect failed: connect timed out");
    second.failed("connect failed: Connection refused");
    after(BACKOFF.plus(RelayProber.GRACE).plusMillis(1));
    try {
      prober.start(r -> new Thread(r, "prober-test"));
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofMillis(1500))
          .until(() -> second.state() == RelayState.UP);
    } finally {
      prober.close();
      never.countDown();
    }
  }
}
