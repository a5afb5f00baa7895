package dev.postbus.worker.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Kafka lost and back, on a hand-moved ticker and a fixed clock. */
class KafkaContactTest {

  private static final Instant START = Instant.parse("2026-12-02T10:00:00Z");
  private long nanos;
  private final List<Instant> changes = new ArrayList<>();
  private final KafkaContact contact =
      new KafkaContact(
          Duration.ofSeconds(15), () -> nanos, Clock.fixed(START, ZoneOffset.UTC), changes::add);

  private void pass(Duration d) {
    nanos += d.toNanos();
  }

  @Test
  void lostAfterTheLimitWithoutContactOnceAndBackOnce() {
    pass(Duration.ofSeconds(14));
    contact.check();
    assertThat(changes).isEmpty();

    pass(Duration.ofSeconds(1));
    contact.check();
    contact.check();
    assertThat(changes).containsExactly(START);
    assertThat(contact.lost()).isTrue();

    contact.contact();
    contact.contact();
    assertThat(changes).containsExactly(START, null);
    assertThat(contact.lost()).isFalse();
  }

  @Test
  void anAnsweredHeartbeatIsContact() {
    contact.heartbeatsAnswered(3);
    pass(Duration.ofSeconds(14));
    contact.heartbeatsAnswered(4); // the coordinator answered one more
    pass(Duration.ofSeconds(14));
    contact.check();
    assertThat(changes).isEmpty();

    pass(Duration.ofSeconds(1));
    contact.heartbeatsAnswered(4); // none answered since
    contact.check();
    assertThat(changes).hasSize(1);

    contact.heartbeatsAnswered(5); // back
    assertThat(changes).hasSize(2).last().isNull();
  }

  @Test
  void noHeartbeatYetIsNotContact() {
    contact.heartbeatsAnswered(-1);
    contact.heartbeatsAnswered(Double.NaN);
    pass(Duration.ofSeconds(15));
    contact.check();
    assertThat(changes).hasSize(1);
  }
}
