package dev.postbus.feedback.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.feedback.write.RepeatFilter.Claim;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RepeatFilterTest {

  /** A clock the test moves. */
  static final class MovingClock extends Clock {
    Instant now = Instant.parse("2026-12-02T10:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void anIdIsNewThenInFlightThenSeenOnceWritten() {
    RepeatFilter f = new RepeatFilter(10, Duration.ofHours(1), new MovingClock());
    assertThat(f.claim("a")).isEqualTo(Claim.NEW);
    assertThat(f.claim("a")).isEqualTo(Claim.IN_FLIGHT);
    f.done("a");
    assertThat(f.claim("a")).isEqualTo(Claim.SEEN);
  }

  @Test
  void aFailedWriteIsForgottenSoTheRetryIsWritten() {
    RepeatFilter f = new RepeatFilter(10, Duration.ofHours(1), new MovingClock());
    f.claim("a");
    f.release("a");
    assertThat(f.claim("a")).isEqualTo(Claim.NEW);
  }

  @Test
  void idsAreForgottenAfterTheWindowAndBeyondTheBound() {
    MovingClock clock = new MovingClock();
    RepeatFilter f = new RepeatFilter(3, Duration.ofHours(1), clock);
    for (String id : new String[] {"a", "b", "c", "d"}) {
      f.claim(id);
      f.done(id);
    }
    assertThat(f.size()).isEqualTo(3);
    assertThat(f.claim("a")).isEqualTo(Claim.NEW); // the oldest went first
    assertThat(f.claim("d")).isEqualTo(Claim.SEEN);
    clock.now = clock.now.plus(Duration.ofMinutes(61));
    assertThat(f.claim("d")).isEqualTo(Claim.NEW);
  }
}
