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
 * relay received from a publish's acknowledgement, never the wall clock ({@link #BOUND}); the relay
 * is slow while they are checked, so a backlog of thousands outlasts them, and fast for the drain.
 */
@ExtendWith(SharedKafka.class)
class ClassesIT {

  private static final int BULK = 4000;
  private static final int TRICKLE = 8;

  /** Lanes per worker, of which ⌈4 ÷ 4⌉ = 1 kept for transactional mail: 3 may hold bulk jobs. */
  private static final int BULK_LANES = 3;

  /**
   * Bulk messages the relay may receive while one transactional job waits, from the publish's
   * acknowledgement, per worker: the bulk jobs the bulk lanes hold (one sending and one taken ahead
   * each) and what they finish before the worker fetches the transactional job, with a factor for a
   * loaded machine. Not the backlog: with the classes off it waits behind the whole dispatch queue
   * of bulk jobs (64 and up to a poll's 500 more).
   */
  private static final int BOUND = 8 * BULK_LANES;

  /** The relay's processing time while the trickle runs: bulk sends at ~10/s per worker. */
  private static final Duration SLOW = Duration.ofMillis(300);

  private final List<String> received = new CopyOnWriteArrayList<>();

  private SmtpCapture relay() {
    SmtpCapture relay = SmtpCapture.start(0);
    relay.faults(Faults.delayingReplies(SLOW));
    relay.onMessage(m -> received.add(m.messageId()));
    return relay;
  }

  private static Job job(String prefix, int i, JobClass c) {
    return Job.text(
            Fixtures.id(prefix, i),
            "sender@example.com",
            "rcpt" + (i % 50) + "@example.net",
            "Message " + i,
            "Body " + i)
        .withClass(c);
  }

  private static void publish(Fixtures f, String prefix, int n, JobClass c) {
    try (JobPublisher p = JobPublisher.create(PublisherConfig.of(f.bootstrap, f.topic))) {
      List<CompletableFuture<?>> sent = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        sent.add(p.publish(job(prefix, i, c)));
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
    }
  }

  private long count(String prefix) {
    return received.stream().filter(id -> id.startsWith("<" + prefix + "-")).count();
  }

  private boolean received(String prefix, int i) {
    String id = "<" + Fixtures.id(prefix, i) + "@";
    return received.stream().anyMatch(m -> m.startsWith(id));
  }

  /**
   * Publishes transactional jobs one by one, each once the previous one was received, and counts
   * the bulk messages received from each one's acknowledgement to its delivery.
   */
  private void trickle(Fixtures f, String prefix, int workers) {
    try (JobPublisher p = JobPublisher.create(PublisherConfig.of(f.bootstrap, f.topic))) {
      for (int i = 0; i < TRICKLE; i++) {
        p.publish(job(prefix, i, JobClass.TRANSACTIONAL)).join();
        long bulkBefore = count("bulk");
        int n = i;
        await().atMost(Duration.ofSeconds(60)).until(() -> received(prefix, n));
        assertThat(count("bulk") - bulkBefore)
            .as("bulk messages received while transactional job %s-%d waited", prefix, i)
            .isLessThanOrEqualTo((long) BOUND * workers);
      }
    }
    assertThat(count("bulk")).as("the backlog is not drained yet").isLessThan(BULK / 2);
  }

  /**
   * Publishes {@code n} transactional jobs at once and counts the bulk messages received from their
   * acknowledgement until the last one is delivered.
   */
  private void burst(Fixtures f, String prefix, int n, int workers) {
    long bulkBefore;
    try (JobPublisher p = JobPublisher.create(PublisherConfig.of(f.bootstrap, f.topic))) {
      List<CompletableFuture<?>> sent = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        sent.add(p.publish(job(prefix, i, JobClass.TRANSACTIONAL)));
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
      bulkBefore = count("bulk");
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> count(prefix) == n);
    assertThat(count("bulk") - bulkBefore)
        .as("bulk messages received while %d transactional jobs waited on both workers", n)
        .isLessThanOrEqualTo((long) BOUND * workers);
  }

  /** The backlog drains at the relay's full speed once the bounds are checked. */
  private void drain(SmtpCapture relay, int expected) {
    relay.faults(Faults.NONE);
    everyMessageOnce(expected);
  }

  private void everyMessageOnce(int expected) {
    await().atMost(Duration.ofSeconds(180)).until(() -> received.size() >= expected);
    assertThat(received).as("none lost, none doubled").doesNotHaveDuplicates().hasSize(expected);
  }

  @Test
  void aTrickleOfTransactionalJobsGoesOutAheadOfABulkBacklog(EmbeddedKafka kafka) {
    try (SmtpCapture relay = relay();
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      publish(f, "bulk", BULK, JobClass.BULK);
      f.start(f.config(relay.port(), 4, "classes-0", Map.of()));
      await().atMost(Duration.ofSeconds(30)).until(() -> count("bulk") >= 20);
      trickle(f, "tx", 1);
      drain(relay, BULK + TRICKLE);
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
      trickle(f, "tx", 2);
      burst(f, "burst", 2 * TRICKLE, 2); // spread over both members' jobs partitions
      drain(relay, BULK + 3 * TRICKLE);
    }
  }

  @Test
  void bulkGetsItsFloorWhileTransactionalJobsKeepComing(EmbeddedKafka kafka) {
    try (SmtpCapture relay = relay();
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.faults(Faults.NONE);
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
