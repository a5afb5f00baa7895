package dev.postbus.worker.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The start-up wait on a hand-moved clock: no test here waits for the wall clock. */
class StartupWaitTest {

  private Instant now = Instant.parse("2026-12-02T10:00:00Z");
  private final List<String> lines = new ArrayList<>();
  private final List<Duration> looks = new ArrayList<>();

  private final Clock clock =
      new Clock() {
        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  private StartupWait waitFor(Duration timeout, int failures) {
    int[] looked = {0};
    return new StartupWait(
        "127.0.0.1:1",
        timeout,
        clock,
        d -> now = now.plus(d),
        bound -> {
          looks.add(bound);
          return looked[0]++ < failures ? "connection refused" : null;
        },
        lines::add);
  }

  @Test
  void saysSoOncePerBackoffStepAndReturnsWhenKafkaAnswers() throws Exception {
    StartupWait wait = waitFor(Duration.ofMinutes(5), 7);

    wait.await();

    assertThat(lines).hasSize(7);
    assertThat(lines.get(0))
        .isEqualTo(
            "Kafka at 127.0.0.1:1 is not reachable: connection refused; trying again in 1 s"
                + " (giving up at 10:05:00 UTC, worker.startup-timeout)");
    assertThat(lines)
        .extracting(l -> l.replaceAll(".*trying again in (\\d+ s).*", "$1"))
        .containsExactly("1 s", "2 s", "4 s", "8 s", "16 s", "30 s", "30 s");
    assertThat(now).isEqualTo(Instant.parse("2026-12-02T10:01:31Z"));
    assertThat(wait.waiting()).isNull();
  }

  @Test
  void reportsWhatItWaitsForWhileWaiting() throws Exception {
    List<String> seen = new ArrayList<>();
    int[] looked = {0};
    StartupWait[] wait = new StartupWait[1];
    wait[0] =
        new StartupWait(
            "127.0.0.1:1",
            Duration.ofMinutes(5),
            clock,
            d -> {
              seen.add(wait[0].waiting());
              now = now.plus(d);
            },
            bound -> looked[0]++ < 1 ? "connection refused" : null,
            lines::add);

    wait[0].await();

    assertThat(seen)
        .containsExactly("waiting for Kafka at 127.0.0.1:1 since 10:00:00: connection refused");
  }

  @Test
  void givesUpWithOneLineWhenTheTimeoutPasses() {
    StartupWait wait = waitFor(Duration.ofSeconds(10), Integer.MAX_VALUE);

    assertThatThrownBy(wait::await)
        .isInstanceOf(KafkaUnavailableException.class)
        .hasMessage(
            "cannot reach Kafka at 127.0.0.1:1: connection refused; gave up after 10s"
                + " (worker.startup-timeout). Is the broker running? Check kafka.bootstrap-servers"
                + " (POSTBUS_KAFKA_BOOTSTRAP_SERVERS), or wait longer with worker.startup-timeout (0:"
                + " forever).")
        .hasNoCause();
    // 1 + 2 + 4 s of backoff, then the last 3 s up to the deadline: never past it
    assertThat(lines)
        .extracting(l -> l.replaceAll(".*trying again in (\\d+ s).*", "$1"))
        .containsExactly("1 s", "2 s", "4 s", "3 s");
    assertThat(now).isEqualTo(Instant.parse("2026-12-02T10:00:10Z"));
    assertThat(looks).allMatch(d -> d.compareTo(StartupWait.LOOK) <= 0);
    // the last look, at the deadline, still gets a second: long enough to say what is wrong
    assertThat(looks.get(looks.size() - 1)).isEqualTo(StartupWait.SHORTEST_LOOK);
  }

  @Test
  void zeroWaitsForever() throws Exception {
    StartupWait wait = waitFor(Duration.ZERO, 100);

    wait.await();

    assertThat(lines).hasSize(100);
    assertThat(lines.get(99))
        .endsWith("trying again in 30 s (worker.startup-timeout=0: waiting as long as it takes)");
  }
}
