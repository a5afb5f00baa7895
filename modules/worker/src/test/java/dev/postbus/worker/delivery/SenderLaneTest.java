package dev.postbus.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One or more sender lanes against a real SMTP server, with Kafka's MockProducer. */
class SenderLaneTest {

  private static Job job(String id) {
    return Job.text(id, "shop@example.com", "bob@example.net", "Receipt", "Thanks");
  }

  @Test
  void anUnexpectedErrorOnOneJobRetriesThatJobAndTheLaneGoesOn() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h =
            new LaneHarness(
                relay.port(),
                Map.of(),
                pool -> {
                  if (calls.getAndIncrement() == 0) {
                    throw new IllegalStateException("a bug of ours");
                  }
                  return true;
                })) {
      h.offer(job("first"));
      h.offer(job("second"));
      h.startLane("lane-0");

      await().atMost(Duration.ofSeconds(20)).until(() -> h.finished.size() == 2);
      assertThat(relay.received()).as("the second job").isEqualTo(1);
      assertThat(h.topics()).anyMatch(t -> t.startsWith("jobs.retry"));
      assertThat(h.thread(0).isAlive()).isTrue();
    }
  }

  @Test
  void aLaneThatCannotGoOnSaysSo() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h =
            new LaneHarness(
                relay.port(),
                Map.of(),
                pool -> {
                  throw new StackOverflowError(); // not a job's fault; nothing to retry
                })) {
      h.offer(job("first"));
      h.startLane("lane-0");
      await().atMost(Duration.ofSeconds(20)).until(() -> !h.thread(0).isAlive());
      assertThat(h.lost).containsExactly("lane-0");
    }
  }
}
