package dev.postbus.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.job.JobCodec;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.worker.dedupe.Dedupe;
import dev.postbus.worker.dedupe.Fingerprints;
import dev.postbus.worker.ledger.LedgerOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * A replay (a record with {@code replay-count}) is sent on purpose, except as a copy of a delivery:
 * a replay of an id delivered with the same content is a {@code duplicate}; one of an id
 * dead-lettered, or delivered with other content (a {@code conflict} replay), is sent; one whose id
 * is being sent waits for that send and is then decided.
 */
class DedupeReplayLaneTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Map<String, String> ON = Map.of("dedupe.window", "1h");

  private static Job job(String id, String body) {
    return Job.text(id, "shop@example.com", "bob@example.net", "Receipt", body);
  }

  private static RecordHeaders replay() {
    RecordHeaders h = new RecordHeaders();
    h.add(PostbusHeaders.REPLAY_COUNT, "1".getBytes(StandardCharsets.UTF_8));
    return h;
  }

  @Test
  void aReplayOfAJobDeliveredWithTheSameContentIsADuplicateNotSent() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), ON, pool -> true)) {
      h.offer(job("twice", "body"));
      h.startLane("lane-0");
      await().atMost(WAIT).until(() -> h.finished.size() == 1);

      h.offer(job("twice", "body"), replay());

      await().atMost(WAIT).until(() -> h.finished.size() == 2);
      assertThat(relay.received()).as("mailed once").isEqualTo(1);
      assertThat(types(h)).containsExactly("delivered", "duplicate");
      assertThat(events(h).get(1)).contains("\"outcome\":\"delivered\"", "\"offset\":0");
    }
  }

  @Test
  void aReplayOfADeadLetteredJobIsSentAndASecondReplayOfItIsADuplicate() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), ON, pool -> true)) {
      relay.faults(
          new Faults() {
            @Override
            public Reply data(String messageId, List<String> recipients, int offered) {
              return offered == 1 ? new Reply(550, "5.7.1 Refused") : null;
            }
          });
      h.offer(job("dead", "body"));
      h.startLane("lane-0");
      await().atMost(WAIT).until(() -> h.finished.size() == 1);
      assertThat(h.topics()).contains("jobs.dlt");

      h.offer(job("dead", "body"), replay());
      await().atMost(WAIT).until(() -> h.finished.size() == 2);
      assertThat(relay.received()).as("the replay is sent").isEqualTo(1);

      h.offer(job("dead", "body"), replay()); // the same dead letter replayed again
      await().atMost(WAIT).until(() -> h.finished.size() == 3);
      assertThat(relay.received()).as("mailed once").isEqualTo(1);
      assertThat(types(h)).containsExactly("dead-lettered", "delivered", "duplicate");
    }
  }

  @Test
  void aConflictReplayOfAnIdDeliveredWithOtherContentIsSent() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), ON, pool -> true)) {
      h.offer(job("reused", "the first body"));
      h.startLane("lane-0");
      await().atMost(WAIT).until(() -> h.finished.size() == 1);

      h.offer(job("reused", "another body"), replay());

      await().atMost(WAIT).until(() -> h.finished.size() == 2);
      assertThat(relay.received()).as("the operator asked for it").isEqualTo(2);
      assertThat(types(h)).containsExactly("delivered", "delivered");
    }
  }

  @Test
  void aReplayWhoseIdIsBeingSentWaitsAndIsADuplicateWhenThatSendDelivers() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), ON, pool -> true)) {
      Object first = hold(h, job("busy", "body")); // a first replay, being sent
      h.offer(job("busy", "body"), replay());
      h.startLane("lane-0");
      await().atMost(WAIT).until(() -> h.queue.size() == 0); // taken: it waits

      h.dedupe.finished(first, LedgerOutcome.DELIVERED);

      await().atMost(WAIT).until(() -> h.finished.size() == 1);
      assertThat(relay.received()).as("not sent beside the first").isZero();
      assertThat(types(h)).containsExactly("duplicate");
    }
  }

  @Test
  void aReplayWhoseIdIsBeingSentIsSentAfterwardsWhenThatSendIsDeadLettered() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), ON, pool -> true)) {
      Object first = hold(h, job("busy", "body"));
      h.offer(job("busy", "body"), replay());
      h.startLane("lane-0");
      await().atMost(WAIT).until(() -> h.queue.size() == 0);

      h.dedupe.finished(first, LedgerOutcome.DEAD_LETTERED);

      await().atMost(WAIT).until(() -> h.finished.size() == 1);
      assertThat(relay.received()).isEqualTo(1);
      assertThat(types(h)).containsExactly("delivered");
    }
  }

  /**
   * Another record of the job's id (at jobs-0@99, the same content), claimed as being sent: held
   * until the test says how it finished.
   */
  private static Object hold(LaneHarness h, Job job) {
    Object claimant = new Object();
    long fingerprint = Fingerprints.head(Fingerprints.of(new JobCodec().encode(job)));
    assertThat(
            h.dedupe.tryClaim(
                claimant, LaneHarness.JOBS, 99, Fingerprints.idHash(job.id()), fingerprint))
        .isInstanceOf(Dedupe.Send.class);
    return claimant;
  }

  /** The values of the events written, in order. */
  private static List<String> events(LaneHarness h) {
    return h.producer.history().stream()
        .filter(r -> r.topic().equals("jobs.events"))
        .map(r -> new String(r.value(), StandardCharsets.UTF_8))
        .toList();
  }

  /** The types of the events written, in order. */
  private static List<String> types(LaneHarness h) {
    return events(h).stream()
        .map(v -> v.replaceAll("(?s).*\"type\":\"([^\"]+)\".*", "$1"))
        .toList();
  }
}
