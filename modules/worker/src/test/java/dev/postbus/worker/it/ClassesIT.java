package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.job.JobClass;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.lifecycle.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Transactional mail never waits behind bulk, on a real broker and SMTP server: a trickle of
 * transactional jobs goes out ahead of a bulk backlog (also after a second worker joins), none lost
 * or doubled, and bulk keeps its floor under a transactional flood. The bounds count messages the
 * relay received, never the wall clock: with the classes off a transactional job waits behind the
 * whole dispatch queue of bulk jobs (64 and up to a poll's 500 more).
 */
@ExtendWith(SharedKafka.class)
class ClassesIT {

  private static final int BULK = 600;
  private static final int TRICKLE = 8;

  /** Bulk messages the relay may receive while one transactional job waits. */
  private static final int BOUND = 60;

  private final List<String> received = new CopyOnWriteArrayList<>();

  private SmtpCapture relay() {
    SmtpCapture relay = SmtpCapture.start(0);
    relay.faults(Faults.delayingReplies(Duration.ofMillis(15))); // a relay's processing time
    relay.onMessage(m -> received.add(m.messageId()));
    return relay;
  }

  private static void publish(Fixtures f, String prefix, int n, JobClass c) {
    try (JobPublisher p = JobPublisher.create(PublisherConfig.of(f.bootstrap, f.topic))) {
      List<CompletableFuture<?>> sent = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Job job =
            Job.text(
                    Fixtures.id(prefix, i),
                    "sender@example.com",
                    "rcpt" + (i % 50) + "@example.net",
                    "Message " + i,
                    "Body " + i)
                .withClass(c);
        sent.add(p.publish(job));
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
    }
  }

  private long count(String prefix) {
    return received.stream().filter(id -> id.startsWith("<" + prefix + "-")).count();
  }

  /** Publishes transactional jobs one by one, each once the previous one was received. */
  private void trickle(Fixtures f, String prefix) {
    for (int i = 0; i < TRICKLE; i++) {
      long bulkBefore = count("bulk");
      String id = "<" + Fixtures.id(prefix + "-" + i, 0) + "@";
      publish(f, prefix + "-" + i, 1, JobClass.TRANSACTIONAL);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> received.stream().anyMatch(m -> m.startsWith(id)));
      long bulkMeanwhile = count("bulk") - bulkBefore;
      assertThat(bulkMeanwhile)
          .as("bulk messages received while transactional job %s waited", id)
          .isLessThanOrEqualTo(BOUND);
    }
    assertThat(count("bulk")).as("the backlog is not drained yet").isLessThan(BULK);
  }

  private void everyMessageOnce(int expected) {
    await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= expected);
    assertThat(received).as("none lost, none doubled").doesNotHaveDuplicates().hasSize(expected);
  }

  @Test
  void aTrickleOfTransactionalJobsGoesOutAheadOfABulkBacklog(EmbeddedKafka kafka) {
    try (SmtpCapture relay = relay();
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      publish(f, "bulk", BULK, JobClass.BULK);
      f.start(f.config(relay.port(), 4, "classes-0", Map.of()));
      await().atMost(Duration.ofSeconds(30)).until(() -> count("bulk") >= 20);
      trickle(f, "tx");
      everyMessageOnce(BULK + TRICKLE);
    }
  }

  @Test
  void bulkStaysBehindTransactionalMailAfterASecondWorkerJoins(EmbeddedKafka kafka) {
    try (SmtpCapture relay = relay();
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      publish(f, "bulk", BULK, JobClass.BULK);
      Worker first = f.start(f.config(relay.port(), 4, "classes-1", Map.of()));
      await().atMost(Duration.ofSeconds(30)).until(() -> count("bulk") >= 20);
      Worker second = f.start(f.config(relay.port(), 4, "classes-2", Map.of()));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> second.ownedPartitions() > 0 && first.ownedPartitions() > 0);
      trickle(f, "tx");
      everyMessageOnce(BULK + TRICKLE);
    }
  }

  @Test
  void bulkGetsItsFloorWhileTransactionalJobsKeepComing(EmbeddedKafka kafka) {
    try (SmtpCapture relay = relay();
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      publish(f, "bulk", 300, JobClass.BULK);
      publish(f, "tx", 600, JobClass.TRANSACTIONAL);
      f.start(f.config(relay.port(), 4, "classes-3", Map.of("classes.bulk-floor", "0.2")));
      await().atMost(Duration.ofSeconds(60)).until(() -> count("tx") >= 300);
      List<String> first = List.copyOf(received).subList(0, 300);
      long bulk = first.stream().filter(id -> id.startsWith("<bulk-")).count();
      assertThat(bulk)
          .as("bulk's share of the first 300 sends while both classes wait (floor 20%%)")
          .isBetween(40L, 120L);
      everyMessageOnce(900);
    }
  }
}
