package dev.postbus.feedback.write;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SoftBouncesTest {

  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
  private final AtomicReference<Instant> now = new AtomicReference<>(T0);
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneId getZone() {
          return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now.get();
        }
      };
  private final SoftBounces counts = new SoftBounces(3, Duration.ofDays(7), 300_000, clock);

  private Instant later(Duration d) {
    return now.updateAndGet(t -> t.plus(d));
  }

  @Test
  void theThirdSoftBounceWithinTheWindowReachesTheLimit() {
    assertThat(counts.count("a@example.com", "ses:1", now.get())).isEqualTo(1);
    assertThat(counts.reached(1)).isFalse();
    assertThat(counts.count("a@example.com", "ses:2", later(Duration.ofDays(2)))).isEqualTo(2);
    int third = counts.count("A@Example.COM", "ses:3", later(Duration.ofDays(2)));
    assertThat(third).isEqualTo(3);
    assertThat(counts.reached(third)).isTrue();
  }

  @Test
  void bouncesOlderThanTheWindowNoLongerCount() {
    counts.count("a@example.com", "ses:1", now.get());
    counts.count("a@example.com", "ses:2", later(Duration.ofDays(1)));
    assertThat(counts.count("a@example.com", "ses:3", later(Duration.ofDays(6).plusHours(1))))
        .as("the first is more than 7 days old now")
        .isEqualTo(2);
  }

  @Test
  void aRepeatOfAReportIsNotCountedTwice() {
    counts.count("a@example.com", "ses:1", now.get());
    assertThat(counts.count("a@example.com", "ses:1", later(Duration.ofMinutes(1)))).isZero();
    assertThat(counts.count("a@example.com", "ses:2", later(Duration.ofMinutes(1)))).isEqualTo(2);
    // reports without an event id cannot be told apart: each counts
    assertThat(counts.count("a@example.com", null, now.get())).isEqualTo(3);
  }

  @Test
  void eachRecipientHasItsOwnCountAndOldOnesAreForgotten() {
    counts.count("a@example.com", "ses:1", now.get());
    counts.count("b@example.com", "ses:2", now.get());
    assertThat(counts.count("b@example.com", "ses:3", now.get())).isEqualTo(2);
    assertThat(counts.tracked()).isEqualTo(2);
    later(Duration.ofDays(8));
    counts.sweep();
    assertThat(counts.tracked()).isZero();
  }

  @Test
  void aReportOlderThanTheWindowCountsNothing() {
    assertThat(counts.count("a@example.com", "ses:1", T0.minus(Duration.ofDays(8)))).isZero();
    assertThat(counts.tracked()).isZero();
  }

  @Test
  void aLimitOfZeroNeverSuppresses() {
    SoftBounces off = new SoftBounces(0, Duration.ofDays(7), 300_000, clock);
    assertThat(off.reached(off.count("a@example.com", "ses:1", now.get()))).isFalse();
  }

  @Test
  void farMoreRecipientsThanTheCapKeepAtMostTheCapEvictingTheLeastRecentlyReported() {
    SoftBounces capped = new SoftBounces(3, Duration.ofDays(7), 1_000, clock);
    for (int i = 0; i < 50_000; i++) {
      capped.count("user-" + i + "@example.com", "ses:" + i, now.get());
    }
    assertThat(capped.tracked()).isLessThanOrEqualTo(1_000).isPositive();
    assertThat(capped.evicted()).isEqualTo(49_000);
    assertThat(capped.count("user-49999@example.com", "ses:again", now.get()))
        .as("the newest is still counted")
        .isEqualTo(2);
  }
}
