package dev.postbus.worker.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private final RetryPolicy ladder =
      new RetryPolicy(RetryPolicy.DEFAULT_DELAYS, 10, Duration.ofHours(24), 0.2);

  private RetryPolicy.RetryAt retry(int attempts, Instant now, Duration hint, double random) {
    return (RetryPolicy.RetryAt) ladder.next(attempts, T0, now, hint, () -> random);
  }

  @Test
  void eachAttemptClimbsOneTierAndTheLastTierIsReused() {
    assertThat(retry(1, T0, null, 0.5)).isEqualTo(new RetryPolicy.RetryAt(0, T0.plusSeconds(30)));
    assertThat(retry(2, T0, null, 0.5))
        .isEqualTo(new RetryPolicy.RetryAt(1, T0.plus(Duration.ofMinutes(5))));
    assertThat(retry(3, T0, null, 0.5).tier()).isEqualTo(2);
    assertThat(retry(4, T0, null, 0.5).tier()).isEqualTo(3);
    assertThat(retry(9, T0, null, 0.5).tier()).isEqualTo(3);
  }

  @Test
  void jitterSpreadsTheDueTimeWithinTheConfiguredFraction() {
    assertThat(retry(1, T0, null, 0.0).due()).isEqualTo(T0.plusSeconds(24));
    assertThat(retry(1, T0, null, 0.999999).due())
        .isBetween(T0.plusSeconds(35), T0.plusSeconds(36));
  }

  @Test
  void maxAttemptsEndsTheLadder() {
    assertThat(ladder.next(10, T0, T0, null, () -> 0.5)).isInstanceOf(RetryPolicy.GiveUp.class);
    assertThat(((RetryPolicy.GiveUp) ladder.next(10, T0, T0, null, () -> 0.5)).reason())
        .isEqualTo("gave up after 10 attempts (retry.max-attempts)");
  }

  @Test
  void maxAgeEndsTheLadder() {
    assertThat(ladder.next(3, T0, T0.plus(Duration.ofHours(24)), null, () -> 0.5))
        .isInstanceOf(RetryPolicy.GiveUp.class);
  }

  @Test
  void retryHintMovesUpToTheFirstTierThatWaitsLongEnough() {
    assertThat(retry(1, T0, Duration.ofMinutes(3), 0.5).tier()).isEqualTo(1);
    assertThat(retry(1, T0, Duration.ofSeconds(10), 0.5).tier()).isEqualTo(0);
    assertThat(retry(1, T0, Duration.ofDays(2), 0.5).tier()).isEqualTo(3);
  }

  @Test
  void tierTopicsAreNamedByTheirDelay() {
    assertThat(ladder.topics("postbus.jobs"))
        .containsExactly(
            "postbus.jobs.retry.30s",
            "postbus.jobs.retry.5m",
            "postbus.jobs.retry.30m",
            "postbus.jobs.retry.2h");
  }

  @Test
  void badLaddersAreRefused() {
    assertThatThrownBy(() -> new RetryPolicy(List.of(), 10, Duration.ofHours(1), 0.1))
        .hasMessage("retry.delays must name at least one delay");
    assertThatThrownBy(
            () ->
                new RetryPolicy(
                    List.of(Duration.ofMinutes(5), Duration.ofSeconds(30)),
                    10,
                    Duration.ofHours(1),
                    0.1))
        .hasMessageStartingWith("retry.delays must be in increasing order");
    assertThatThrownBy(
            () -> new RetryPolicy(List.of(Duration.ofMinutes(5)), 10, Duration.ofHours(1), 1.5))
        .hasMessage("retry.jitter must be at least 0 and below 1, got 1.5");
  }

  @Test
  void aScheduledJobWaitsOnTheShortestTierThatCoversTheWaitAndHopsBeyondTheLongest() {
    assertThat(ladder.hold(T0.plusSeconds(10), T0))
        .isEqualTo(new RetryPolicy.RetryAt(0, T0.plusSeconds(10)));
    assertThat(ladder.hold(T0.plusSeconds(30), T0))
        .isEqualTo(new RetryPolicy.RetryAt(0, T0.plusSeconds(30)));
    assertThat(ladder.hold(T0.plusSeconds(31), T0))
        .isEqualTo(new RetryPolicy.RetryAt(1, T0.plusSeconds(31)));
    assertThat(ladder.hold(T0.plus(Duration.ofHours(1)), T0))
        .isEqualTo(new RetryPolicy.RetryAt(3, T0.plus(Duration.ofHours(1))));
    assertThat(ladder.hold(T0.plus(Duration.ofDays(2)), T0))
        .isEqualTo(new RetryPolicy.RetryAt(3, T0.plus(Duration.ofHours(2))));
  }
}
