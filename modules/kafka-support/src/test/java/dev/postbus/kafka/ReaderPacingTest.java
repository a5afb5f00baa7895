package dev.postbus.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReaderPacingTest {

  private final AtomicLong nanos = new AtomicLong();
  private final ReaderPacing pacing =
      new ReaderPacing(
          Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofMinutes(1), nanos::get);

  @Test
  void failuresBackOffToThirtySecondsAndAreLoggedAtMostOnceAMinute() {
    List<Duration> waits = new ArrayList<>();
    int logged = 0;
    for (int i = 0; i < 2_000; i++) {
      ReaderPacing.Failure f = pacing.failed();
      waits.add(f.delay());
      logged += f.log() ? 1 : 0;
      nanos.addAndGet(f.delay().toNanos());
    }
    assertThat(pacing.up()).isFalse();
    assertThat(waits.subList(0, 4))
        .containsExactly(
            Duration.ofMillis(200),
            Duration.ofMillis(400),
            Duration.ofMillis(800),
            Duration.ofMillis(1600));
    assertThat(waits).allMatch(w -> w.compareTo(Duration.ofSeconds(30)) <= 0);
    assertThat(waits.get(1_999)).isEqualTo(Duration.ofSeconds(30));
    long minutes = Duration.ofNanos(nanos.get()).toMinutes();
    assertThat(logged).isPositive().isLessThanOrEqualTo((int) minutes + 1);

    pacing.succeeded();
    assertThat(pacing.up()).isTrue();
    assertThat(pacing.failed().delay()).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void aDeadReaderIsNotUp() {
    pacing.dead();
    assertThat(pacing.up()).isFalse();
  }
}
