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

    contact.member();
    contact.member();
    assertThat(changes).containsExactly(START, null);
    assertThat(contact.lost()).isFalse();
  }

  @Test
  void anAnswerKeepsKafkaInTouch() {
    pass(Duration.ofSeconds(14));
    contact.answered(); // a heartbeat answered
    pass(Duration.ofSeconds(14));
    contact.check();
    assertThat(changes).isEmpty();

    pass(Duration.ofSeconds(1));
    contact.check();
    assertThat(changes).hasSize(1);
  }

  @Test
  void onceLostAnAnswerAsksForProofAndOnlyMembershipIsBack() {
    pass(Duration.ofSeconds(15));
    contact.check();
    assertThat(contact.wantsProof()).as("nothing answered yet").isFalse();

    contact.answered(); // e.g. "unknown member": Kafka is there, this member's place is not
    contact.check();
    assertThat(changes).as("still lost").hasSize(1);
    assertThat(contact.wantsProof()).isTrue();

    contact.member(); // a commit acknowledged
    assertThat(changes).hasSize(2).last().isNull();
    assertThat(contact.wantsProof()).isFalse();
  }
}
