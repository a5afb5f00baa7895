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
    contact.check(true);
    assertThat(changes).isEmpty();

    pass(Duration.ofSeconds(1));
    contact.check(true);
    contact.check(true);
    assertThat(changes).containsExactly(START);
    assertThat(contact.lost()).isTrue();

    contact.member();
    contact.member();
    assertThat(changes).containsExactly(START, null);
    assertThat(contact.lost()).isFalse();
  }

  @Test
  void anAnswerKeepsAMemberOwningNothingInTouch() {
    pass(Duration.ofSeconds(14));
    contact.answered(); // a heartbeat answered
    pass(Duration.ofSeconds(14));
    contact.check(false);
    assertThat(changes).isEmpty();

    pass(Duration.ofSeconds(1));
    contact.check(false);
    assertThat(changes).hasSize(1);
  }

  @Test
  void onceLostOnlyMembershipIsBackNotAnAnswer() {
    pass(Duration.ofSeconds(15));
    contact.check(true);
    contact.answered(); // e.g. "unknown member": Kafka is there, this member's place is not
    contact.check(true);
    assertThat(changes).as("still lost").hasSize(1);

    contact.member(); // a commit acknowledged
    assertThat(changes).hasSize(2).last().isNull();
  }

  /**
   * The group coordinator's broker is unreachable while the partitions' leaders answer: records
   * keep coming (and heartbeats, if any, are answered with errors), but no commit is acknowledged.
   * After the session timeout the group gives the partitions to another member; this one must hold
   * delivery before that.
   */
  @Test
  void answersWithoutMembershipProofWhileOwningPartitionsAreKafkaLost() {
    for (int second = 0; second < 15; second++) {
      pass(Duration.ofSeconds(1));
      contact.answered(); // records fetched, an error answer to a heartbeat
      contact.check(true);
    }
    assertThat(changes).as("membership unproven for kafka-lost-after").containsExactly(START);

    contact.member(); // a commit acknowledged
    assertThat(changes).as("back").containsExactly(START, null);
  }

  @Test
  void aMemberOwningNothingNeedsNoProof() {
    for (int second = 0; second < 30; second++) {
      pass(Duration.ofSeconds(1));
      contact.answered(); // heartbeats answered; nothing to commit
      contact.check(false);
    }
    assertThat(changes).isEmpty();
  }
}
