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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * A record on a retry tier is checked as a replay is: a copy of a job delivered with the same
 * content (a retry record written twice: a resend after a timeout that did not mean "not written",
 * a zombie's buffered record) is a {@code duplicate}; one of an id handed to the retry ladder (the
 * normal case: the record put it on the tier) is sent; one whose id is being sent waits for it.
 */
class DedupeTierLaneTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Map<String, String> ON = Map.of("dedupe.window", "1h");

  private static Job job(String id, String body) {
    return Job.text(id, "shop@example.com", "bob@example.net", "Receipt", body);
  }

  /** The headers of a retry record after one failed attempt, due now. */
  private static RecordHeaders retried() {
    RecordHeaders h = new RecordHeaders();
    Instant now = Instant.now();
    h.add(PostbusHeaders.ATTEMPT, "1".getBytes(StandardCharsets.UTF_8));
    h.add(PostbusHeaders.FIRST_FAILURE, now.toString().getBytes(StandardCharsets.UTF_8));
    h.add(PostbusHeaders.DUE, now.toString().getBytes(StandardCharsets.UTF_8));
    return h;
  }

  @Test
  void aRetryRecordWrittenTwiceIsSentOnceAndItsCopyIsADuplicate() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), ON, pool -> true)) {
      relay.faults(
          new Faults() {
            @Override
            public Reply data(String messageId, List<String> recipients, int offered) {
              return offered == 1 ? new Reply(451, "4.3.0 Try again later") : null;
            }
          });
      h.offer(job("twice", "body"));
      h.startLane("lane-0");
      await().atMost(WAIT).until(() -> h.finished.size() == 1);
      assertThat(h.topics()).contains(LaneHarness.TIER.topic());

      h.offer(LaneHarness.TIER, job("twice", "body"), retried());
      await().atMost(WAIT).until(() -> h.finished.size() == 2);
      assertThat(relay.received()).as("the retry record is sent").isEqualTo(1);

      h.offer(LaneHarness.TIER, job("twice", "body"), retried()); // the same record again
      await().atMost(WAIT).until(() -> h.finished.size() == 3);
      assertThat(relay.received()).as("mailed once").isEqualTo(1);
      assertThat(types(h)).containsExactly("deferred", "delivered", "duplicate");
    }
  }

  /**
   * A job for b@ and c@, as a first attempt that throttled one and deferred the other leaves it.
   */
  private static Job forBAndC(String id) {
    Job one = job(id, "body");
    return new Job(
        one.schema(),
        id,
        one.from(),
        null,
        List.of(
            dev.postbus.job.MailAddress.parse("b@example.net"),
            dev.postbus.job.MailAddress.parse("c@example.net")),
        null,
        null,
        one.subject(),
        one.text(),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** A retry record for {@code recipient} alone (a part of the job's recipients). */
  private static RecordHeaders retriedFor(String recipient) {
    RecordHeaders h = retried();
    h.add(PostbusHeaders.RECIPIENTS, ("[\"" + recipient + "\"]").getBytes(StandardCharsets.UTF_8));
    return h;
  }

  @Test
  void aTierRecordForOtherRecipientsThanOneDeliveredIsSentNotADuplicate() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), ON, pool -> true)) {
      h.startLane("lane-0");
      // the first attempt's two ladder records: b throttled, c deferred; b's is sent first
      h.offer(LaneHarness.TIER, forBAndC("split"), retriedFor("b@example.net"));
      await().atMost(WAIT).until(() -> h.finished.size() == 1);

      h.offer(LaneHarness.TIER, forBAndC("split"), retriedFor("c@example.net"));

      await().atMost(WAIT).until(() -> h.finished.size() == 2);
      assertThat(relay.received()).as("c is mailed too").isEqualTo(2);
      assertThat(types(h)).containsExactly("delivered", "delivered");
    }
  }

  @Test
  void aTierRecordOfAJobDeliveredWithTheSameContentIsADuplicateNotSent() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), ON, pool -> true)) {
      h.offer(job("zombie", "body")); // sent again by the partition's new owner
      h.startLane("lane-0");
      await().atMost(WAIT).until(() -> h.finished.size() == 1);

      h.offer(LaneHarness.TIER, job("zombie", "body"), retried()); // the old owner's, landing late

      await().atMost(WAIT).until(() -> h.finished.size() == 2);
      assertThat(relay.received()).as("mailed once").isEqualTo(1);
      assertThat(types(h)).containsExactly("delivered", "duplicate");
      assertThat(events(h).get(1)).contains("\"outcome\":\"delivered\"", "\"offset\":0");
    }
  }

  @Test
  void aTierRecordOfAnIdDeliveredWithOtherContentIsSentNotAConflict() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), ON, pool -> true)) {
      h.offer(job("reused", "the first body"));
      h.startLane("lane-0");
      await().atMost(WAIT).until(() -> h.finished.size() == 1);

      h.offer(LaneHarness.TIER, job("reused", "another body"), retried());

      await().atMost(WAIT).until(() -> h.finished.size() == 2);
      assertThat(relay.received()).isEqualTo(2);
      assertThat(types(h)).containsExactly("delivered", "delivered");
    }
  }

  @Test
  void aTierRecordWhoseIdIsBeingSentWaitsAndIsADuplicateWhenThatSendDelivers() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), ON, pool -> true)) {
      Object replay = hold(h, job("busy", "body")); // a replay of the id, being sent
      h.offer(LaneHarness.TIER, job("busy", "body"), retried());
      h.startLane("lane-0");
      await().atMost(WAIT).until(() -> h.queue.size() == 0); // taken: it waits

      h.dedupe.finished(replay, LedgerOutcome.DELIVERED);

      await().atMost(WAIT).until(() -> h.finished.size() == 1);
      assertThat(relay.received()).as("not sent beside the replay").isZero();
      assertThat(types(h)).containsExactly("duplicate");
    }
  }

  @Test
  void aTierRecordWhoseIdIsBeingSentIsSentAfterwardsWhenThatSendIsRetried() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), ON, pool -> true)) {
      Object replay = hold(h, job("busy", "body"));
      h.offer(LaneHarness.TIER, job("busy", "body"), retried());
      h.startLane("lane-0");
      await().atMost(WAIT).until(() -> h.queue.size() == 0);
      assertThat(relay.received()).as("waits").isZero();

      h.dedupe.finished(replay, LedgerOutcome.RETRY);

      await().atMost(WAIT).until(() -> h.finished.size() == 1);
      assertThat(relay.received()).isEqualTo(1);
      assertThat(types(h)).containsExactly("delivered");
    }
  }

  @Test
  void withDedupeOffATierRecordIsSentAsBefore() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), Map.of(), pool -> true)) {
      h.offer(job("off", "body"));
      h.startLane("lane-0");
      await().atMost(WAIT).until(() -> h.finished.size() == 1);

      h.offer(LaneHarness.TIER, job("off", "body"), retried());

      await().atMost(WAIT).until(() -> h.finished.size() == 2);
      assertThat(relay.received()).isEqualTo(2);
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
                claimant,
                LaneHarness.JOBS,
                99,
                Fingerprints.idHash(job.id()),
                fingerprint,
                Dedupe.Origin.REPLAYED))
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
