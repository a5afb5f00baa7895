package dev.postbus.worker.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.postbus.job.JobClass;
import dev.postbus.worker.time.Ticker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SendRateTest {

  @Test
  void theGroupLimitIsSharedByPartitionsAndCappedByTheWorkersOwn() {
    SendRate unlimited = new SendRate(0, 0);
    assertThat(unlimited.limited()).isFalse();
    assertThat(unlimited.rate()).isInfinite();

    SendRate shared = new SendRate(0, 200);
    shared.share(3, 6);
    assertThat(shared.rate()).isEqualTo(100.0);
    shared.share(6, 6);
    assertThat(shared.rate()).isEqualTo(200.0);
    shared.share(0, 6); // more workers than jobs partitions: this one serves retry tiers only
    assertThat(shared.rate())
        .as("a worker without a jobs partition keeps one partition's share")
        .isCloseTo(200.0 / 6, within(0.01));

    SendRate both = new SendRate(50, 200);
    both.share(3, 6);
    assertThat(both.rate()).isEqualTo(50.0);
  }

  @Test
  void sixWorkersOnThreeJobsAndThreeTierPartitionsStayWithinTheGroupLimit() {
    double sum = 0;
    for (int worker = 0; worker < 6; worker++) {
      SendRate r = new SendRate(0, 120);
      r.share(1, 6); // one of the 6 consumed partitions each, jobs or tier
      sum += r.rate();
    }
    assertThat(sum).isCloseTo(120.0, within(0.01));
  }

  /**
   * The share is told after a rebalance once Kafka gave the partition counts; should that time out,
   * the worker still sends, and must stay within the group's limit meanwhile.
   */
  @Test
  void beforeItsFirstShareAWorkerUnderAGroupLimitIsNeverUnlimited() {
    HandTicker time = new HandTicker();
    SendRate rate = new SendRate(0, 120, time);
    assertThat(rate.limited()).as("no share yet").isTrue();
    assertThat(rate.rate()).as("at most the group's whole limit").isEqualTo(120.0);

    rate.expectPartitions(36); // 6 jobs partitions and 5 tiers of 6, as configured
    assertThat(rate.rate()).as("one partition's share").isCloseTo(120.0 / 36, within(0.001));
    time.advance(Duration.ofSeconds(30));
    rate.tick();
    assertThat(rate.rate()).as("time alone does not lift it").isCloseTo(120.0 / 36, within(0.001));

    rate.share(12, 36);
    assertThat(rate.rate()).as("the share, once told").isCloseTo(40.0, within(0.001));
    rate.expectPartitions(36);
    assertThat(rate.rate()).as("a share once told wins").isCloseTo(40.0, within(0.001));

    SendRate own = new SendRate(2, 120, time);
    own.expectPartitions(36);
    assertThat(own.rate()).as("the worker's own limit still caps it").isEqualTo(2.0);
  }

  @Test
  void aThrottleReplyBringsTheRateDownToWhatTheRelayAcceptedAndOnlyOnceASecond() {
    SendRate rate = new SendRate(0, 0);
    for (int i = 0; i < 40; i++) {
      rate.accepted();
    }
    rate.throttled();
    assertThat(rate.rate()).isCloseTo(40 * 0.85, within(0.01));
    rate.throttled(); // within the same second: ignored
    assertThat(rate.rate()).isCloseTo(40 * 0.85, within(0.01));
    assertThat(rate.limited()).isTrue();
  }

  /** A ticker moved by hand: the ramp is tested in simulated seconds. */
  private static final class HandTicker implements Ticker {
    private long nanos;

    @Override
    public long read() {
      return nanos;
    }

    void advance(Duration d) {
      nanos += d.toNanos();
    }
  }

  @Test
  void afterAThrottleTheLimitGrowsBackATenthPerSecondUntilTheConfiguredLimit() {
    HandTicker time = new HandTicker();
    SendRate rate = new SendRate(100, 0, time);
    for (int i = 0; i < 40; i++) {
      rate.accepted();
    }
    rate.throttled();
    assertThat(rate.rate())
        .isCloseTo(34.0, within(0.01)); // 85% of the 40 the relay took in the last second
    time.advance(Duration.ofSeconds(1));
    rate.tick();
    assertThat(rate.rate()).isCloseTo(37.4, within(0.01)); // + a tenth of 34
    time.advance(Duration.ofSeconds(10));
    rate.tick();
    assertThat(rate.rate()).isCloseTo(71.4, within(0.01));
    time.advance(Duration.ofSeconds(10));
    rate.tick();
    assertThat(rate.rate()).as("recovered: back at the configured limit").isEqualTo(100.0);
  }

  @Test
  void aThrottleMoreThanASecondAfterTheLastOneCountsAndUsesTheLastSecondOnly() {
    HandTicker time = new HandTicker();
    SendRate rate = new SendRate(0, 0, time);
    for (int i = 0; i < 100; i++) {
      rate.accepted();
    }
    rate.throttled();
    assertThat(rate.rate()).isCloseTo(85.0, within(0.01));
    time.advance(Duration.ofMillis(999));
    rate.throttled();
    assertThat(rate.rate()).as("within a second: ignored").isCloseTo(85.0, within(0.01));
    time.advance(Duration.ofMillis(1_500)); // the 100 acceptances are now more than a second old
    for (int i = 0; i < 20; i++) {
      rate.accepted();
    }
    rate.throttled();
    assertThat(rate.rate()).isCloseTo(17.0, within(0.01));
  }

  @Test
  void aLaneWaitingForAPermitStopsWaitingWhenToldTo() throws Exception {
    SendRate slow = new SendRate(0, 1);
    slow.share(1, 1000); // 0.001 messages/s: the next permit is more than 15 minutes away
    assertThat(slow.acquire(JobClass.TRANSACTIONAL, () -> false)).isTrue(); // the first one is free
    java.util.concurrent.atomic.AtomicBoolean giveUp =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.CompletableFuture<Boolean> second =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> acquire(slow, giveUp));
    giveUp.set(true);
    assertThat(second.get(5, java.util.concurrent.TimeUnit.SECONDS)).isFalse();
  }

  private static boolean acquire(SendRate rate, java.util.concurrent.atomic.AtomicBoolean giveUp) {
    try {
      return rate.acquire(JobClass.TRANSACTIONAL, giveUp::get);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
