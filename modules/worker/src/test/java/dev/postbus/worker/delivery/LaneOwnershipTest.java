package dev.postbus.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A lane checks, right before its SMTP transaction, that the job's partition is still this
 * worker's: one let go (a rebalance, or lost after Kafka fenced this member) is the next owner's to
 * send.
 */
class LaneOwnershipTest {

  @Test
  void aLaneStartsNoTransactionForAPartitionBeingLetGo() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), Map.of(), pool -> true)) {
      h.offer(Job.text("gone", "shop@example.com", "bob@example.net", "Receipt", "Thanks"));
      h.owner.markReleasing(); // let go while the job waited in the queue
      h.startLane("lane-0");

      await()
          .atMost(Duration.ofSeconds(20))
          .alias("the job is handed back unsent")
          .until(() -> h.owner.inFlight() == 0);
      assertThat(relay.received()).as("no transaction for a partition let go").isZero();
      assertThat(h.finished).isEmpty();
    }
  }

  /**
   * A lane waiting out a relay's backoff (30 s here; up to smtp.reconnect-backoff-max) hands its
   * job back as soon as the job's partition is let go: a revocation does not wait for the backoff.
   */
  @Test
  void aJobWaitingOutARelayOutageIsHandedBackAtOnceWhenItsPartitionIsLetGo() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h =
            new LaneHarness(
                relay.port(),
                Map.of("smtp.reconnect-backoff", "30s", "smtp.reconnect-backoff-max", "1m"),
                pool -> true)) {
      h.relays.all().get(0).failed("out for this test"); // for 30 s
      h.offer(Job.text("waits", "shop@example.com", "bob@example.net", "Receipt", "Thanks"));
      h.startLane("lane-0");
      await()
          .atMost(Duration.ofSeconds(20))
          .alias("the lane holds the job")
          .until(() -> h.queue.size() == 0);

      h.owner.markReleasing();

      await()
          .atMost(Duration.ofMillis(500))
          .alias("the job is handed back within 500 ms of its partition let go")
          .until(() -> h.owner.inFlight() == 0);
      assertThat(relay.received()).isZero();
    }
  }
}
