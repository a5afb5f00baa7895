package dev.postbus.worker.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.smtp.OutcomeClass;
import dev.postbus.worker.config.InDoubtPolicy;
import dev.postbus.worker.retry.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where an attempt that did not end its job goes on the ladder: pure decisions, no Kafka. */
class RetryHandOffTest {

  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
  private static final RetryPolicy LADDER =
      new RetryPolicy(
          List.of(Duration.ofSeconds(30), Duration.ofMinutes(5)), 5, Duration.ofDays(1), 0.0);

  private final RetryHandOff retry = new RetryHandOff(LADDER, InDoubtPolicy.RETRY, "jobs");

  private static Failure failure(OutcomeClass c, boolean inDoubt) {
    return new Failure(c, "why", null, null, inDoubt);
  }

  @Test
  void aFirstTransientFailureGoesToTheFirstTierAndStartsTheClock() {
    Failure f = failure(OutcomeClass.TRANSIENT, false);
    var next = (RetryHandOff.OnLadder) retry.afterFailure(f, 1, null, NOW, null);
    assertThat(next)
        .isEqualTo(new RetryHandOff.OnLadder("jobs.retry.30s", NOW.plusSeconds(30), 1, NOW));
  }

  @Test
  void aPermanentFailureIsDeadLetteredAsItIs() {
    Failure f = failure(OutcomeClass.PERMANENT, false);
    assertThat(retry.afterFailure(f, 1, null, NOW, null)).isEqualTo(new RetryHandOff.GiveUp(f));
  }

  @Test
  void anInDoubtFailureIsDeadLetteredWhenThePolicySaysSo() {
    RetryHandOff strict = new RetryHandOff(LADDER, InDoubtPolicy.DEAD_LETTER, "jobs");
    Failure f = failure(OutcomeClass.TRANSIENT, true);
    assertThat(strict.afterFailure(f, 1, null, NOW, null)).isEqualTo(new RetryHandOff.GiveUp(f));
    assertThat(retry.afterFailure(f, 1, null, NOW, null)).isInstanceOf(RetryHandOff.OnLadder.class);
  }

  @Test
  void theLastAttemptExpires() {
    Failure f = failure(OutcomeClass.TRANSIENT, false);
    var next = (RetryHandOff.GiveUp) retry.afterFailure(f, 5, NOW.minusSeconds(60), NOW, null);
    assertThat(next.failure().outcomeClass()).isEqualTo(OutcomeClass.EXPIRED);
  }

  @Test
  void aFirstThrottleIsNotCountedAndWaitsAsLongAsTheRelayAsked() {
    Failure f = failure(OutcomeClass.TRANSIENT, false);
    var next = (RetryHandOff.OnLadder) retry.afterThrottle(f, 1, null, NOW, Duration.ofMinutes(2));
    assertThat(next)
        .isEqualTo(new RetryHandOff.OnLadder("jobs.retry.5m", NOW.plusSeconds(120), 0, NOW));
  }

  @Test
  void aScheduledJobWaitsWithoutAnAttempt() {
    var next = retry.scheduled(NOW.plusSeconds(20), NOW, 1, null);
    assertThat(next)
        .isEqualTo(new RetryHandOff.OnLadder("jobs.retry.30s", NOW.plusSeconds(20), 0, null));
  }
}
