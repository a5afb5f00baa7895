package dev.postbus.worker.relay;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
    shared.share(0, 6);
    assertThat(shared.rate()).isZero();

    SendRate both = new SendRate(50, 200);
    both.share(3, 6);
    assertThat(both.rate()).isEqualTo(50.0);
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
}
