package dev.postbus.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.suppression.Suppression;
import dev.postbus.worker.dedupe.Fingerprints;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** A lane's side of idempotent publishing: a copy waiting for its original, a lane's claims. */
class DedupeLaneTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Map<String, String> ON = Map.of("dedupe.window", "1h");

  private static Job job(String id) {
    return Job.text(id, "shop@example.com", "bob@example.net", "Receipt", "Thanks");
  }

  @Test
  void aCopyWaitingForItsOriginalIsHandedBackUnstartedWhenItsPartitionIsBeingLetGo()
      throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), ON, pool -> true)) {
      Object original = new Object(); // another record of the id, being sent (held)
      h.dedupe.tryClaim(
          original, new TopicPartition("jobs", 1), 7, Fingerprints.idHash("copied"), 1);
      h.offer(job("copied"));
      h.startLane("lane-0");
      await().atMost(WAIT).until(() -> h.queue.size() == 0); // taken: the copy waits

      h.owner.markReleasing(); // a revocation: not revoked until its in-flight records are done

      await()
          .atMost(WAIT)
          .alias("the copy is handed back without waiting for its original (or the drain timeout)")
          .until(() -> h.owner.inFlight() == 0);
      assertThat(relay.received()).isZero();
      assertThat(h.finished).as("not finished: it stays uncommitted").isEmpty();
      assertThat(h.producer.history()).as("no event, no dead letter").isEmpty();
    }
  }

  @Test
  void aCopyOfADeliveredJobWhoseRecipientIsSuppressedSinceIsADuplicateNotADeadLetter()
      throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), ON, pool -> true)) {
      h.offer(job("again"));
      h.startLane("lane-0");
      await().atMost(WAIT).until(() -> h.finished.size() == 1);
      h.suppressions.added(
          Suppression.bounce("bob@example.net", 550, "5.1.1", "RCPT", Instant.now()));

      h.offer(job("again"));

      await().atMost(WAIT).until(() -> h.finished.size() == 2);
      assertThat(relay.received()).isEqualTo(1);
      assertThat(h.topics()).as("no dead letter to replay").doesNotContain("jobs.dlt");
      assertThat(types(h)).containsExactly("delivered", "duplicate");
    }
  }

  /** The types of the events written, in order. */
  private static List<String> types(LaneHarness h) {
    return h.producer.history().stream()
        .filter(r -> r.topic().equals("jobs.events"))
        .map(r -> new String(r.value(), StandardCharsets.UTF_8))
        .map(v -> v.replaceAll("(?s).*\"type\":\"([^\"]+)\".*", "$1"))
        .toList();
  }

  @Test
  void aLaneThatDiesHoldingAJobTakenAheadLetsGoOfItsClaim() throws Exception {
    try (PipeliningRelay relay = new PipeliningRelay();
        LaneHarness h = new LaneHarness(relay.port(), ON, pool -> true)) {
      relay.answerSecondDot.countDown(); // no hold on the second message
      h.offer(job("first")); // the relay's offer (PIPELINING) is known after it
      h.startLane("lane-0");
      await().atMost(WAIT).until(() -> h.finished.size() == 1);
      h.errorOnDelivered = new AssertionError("a bug of ours no lane survives");
      h.offer(job("second"));
      h.offer(job("ahead")); // taken ahead (claimed) while the second is sent
      await().atMost(WAIT).until(() -> !h.thread(0).isAlive());
      assertThat(relay.messages.get()).isEqualTo(2);
      h.errorOnDelivered = null;

      h.offer(job("ahead")); // published again: decided, not waiting for a lane that is gone
      h.startLane("lane-1");

      await()
          .atMost(WAIT)
          .alias("a record of the id taken ahead is sent")
          .until(() -> relay.messages.get() == 3);
    }
  }

  /**
   * What the live index learns is what a rebuild reads from the ledger: a replay (sent on purpose,
   * not checked) is an entry there, so a later record of its id with other content is a conflict
   * before a restart as after one.
   */
  @Test
  void aReplaySentStandsForItsIdAsARebuildFromTheLedgerHasIt() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), ON, pool -> true)) {
      var replay = new org.apache.kafka.common.header.internals.RecordHeaders();
      replay.add(dev.postbus.job.PostbusHeaders.REPLAY_COUNT, "1".getBytes(StandardCharsets.UTF_8));
      h.offer(Job.text("replayed", "shop@example.com", "bob@example.net", "Receipt", "v2"), replay);
      h.startLane("lane-0");
      await().atMost(WAIT).until(() -> h.finished.size() == 1);

      h.offer(Job.text("replayed", "shop@example.com", "bob@example.net", "Receipt", "v1"));

      await().atMost(WAIT).until(() -> h.finished.size() == 2);
      assertThat(relay.received()).as("the other content is not sent").isEqualTo(1);
      assertThat(h.topics()).contains("jobs.dlt");
    }
  }
}
