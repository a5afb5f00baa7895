package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.testkit.MinimalWorker;
import dev.postbus.testkit.SharedKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two worker processes share 5,000 jobs; one is killed with SIGKILL in the middle and started
 * again. Every job must arrive; a job may arrive twice only if its send was in flight at the
 * instant of the kill, so at most as many as the killed worker had connections.
 */
@ExtendWith(SharedKafka.class)
class CrashIT {

  private static final int JOBS = 5_000;
  private static final int CONNECTIONS = 4;

  @Test
  void sigkillMidRunLosesNothingAndDuplicatesOnlyWhatWasInFlight(EmbeddedKafka kafka)
      throws Exception {
    Map<String, Instant> firstSeen = new ConcurrentHashMap<>();
    AtomicLong lastArrivalNanos = new AtomicLong(System.nanoTime());
    try (SmtpCapture relay = SmtpCapture.start(0)) {
      relay.faults(
          Faults.delayingReplies(
              Duration.ofMillis(2))); // a relay's processing time: the run lasts a while
      relay.onMessage(
          m -> {
            firstSeen.putIfAbsent(m.messageId(), m.receivedAt());
            lastArrivalNanos.set(System.nanoTime());
          });
      Map<String, String> env =
          MinimalWorker.environment(kafka.bootstrapServers(), relay.port(), "crash");
      String topic = env.get("POSTBUS_TOPIC");
      env.put("POSTBUS_SMTP_CONNECTIONS", Integer.toString(CONNECTIONS));
      env.put("POSTBUS_LOG_LEVEL", "INFO");
      // The group gives the killed worker's partitions to the others once its session expires:
      // 12 s rather than Kafka's 45 s; Kafka is declared lost before that, as the worker requires.
      env.put("POSTBUS_KAFKA_CLIENT_SESSION_TIMEOUT_MS", "12000");
      env.put("POSTBUS_WORKER_KAFKA_LOST_AFTER", "6s");

      long start = System.nanoTime();
      try (WorkerProcess a = WorkerProcess.start(with(env, "POSTBUS_WORKER_ID", "crash-a"));
          WorkerProcess b = WorkerProcess.start(with(env, "POSTBUS_WORKER_ID", "crash-b"))) {
        a.awaitLog("assigned", Duration.ofSeconds(60));
        b.awaitLog("assigned", Duration.ofSeconds(60));
        publish(kafka.bootstrapServers(), topic);

        await().atMost(Duration.ofSeconds(120)).until(() -> relay.received() >= JOBS * 3L / 10);
        Instant killedAt = Instant.now();
        a.kill();
        long atKill = relay.received();

        try (WorkerProcess again =
            WorkerProcess.start(with(env, "POSTBUS_WORKER_ID", "crash-a2"))) {
          await()
              .atMost(Duration.ofSeconds(180))
              .until(() -> relay.countsByMessageId().size() >= JOBS);
          // Done when nothing has arrived for 3 s: a redelivered duplicate would have come by then.
          await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () ->
                      System.nanoTime() - lastArrivalNanos.get() > Duration.ofSeconds(3).toNanos());

          Map<String, Integer> counts = relay.countsByMessageId();
          List<String> duplicated = new ArrayList<>();
          counts.forEach(
              (id, n) -> {
                if (n > 1) {
                  duplicated.add(id);
                }
              });
          long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
          System.out.printf(
              "CrashIT: %d jobs, %d delivered at the kill, %d distinct delivered, %d lost, %d duplicated %s, "
                  + "%d skipped by the ledger, %d s%n",
              JOBS,
              atKill,
              counts.size(),
              JOBS - counts.size(),
              duplicated.size(),
              duplicated,
              ledgerSkips(again.log()),
              seconds);

          assertThat(counts).hasSize(JOBS);
          for (int i = 0; i < JOBS; i++) {
            assertThat(counts).containsKey("<crash-" + i + "@example.com>");
          }
          assertThat(duplicated)
              .as("duplicates: at most one per connection of the killed worker")
              .hasSizeLessThanOrEqualTo(CONNECTIONS);
          for (String id : duplicated) {
            Instant first = firstSeen.get(id);
            assertThat(first)
                .as("%s was first accepted just before the kill, while in flight", id)
                .isBetween(killedAt.minusSeconds(2), killedAt.plusMillis(500));
          }
          assertThat(again.log()).contains("send ledger read for");
        }
      }
    }
  }

  private static long ledgerSkips(String log) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "(\\d+) records after the committed offsets are already finished")
            .matcher(log);
    long total = 0;
    while (m.find()) {
      total += Long.parseLong(m.group(1));
    }
    return total;
  }

  private static Map<String, String> with(Map<String, String> env, String key, String value) {
    Map<String, String> copy = new HashMap<>(env);
    copy.put(key, value);
    return copy;
  }

  private static void publish(String bootstrap, String topic) {
    try (JobPublisher publisher = JobPublisher.create(PublisherConfig.of(bootstrap, topic))) {
      List<CompletableFuture<?>> sent = new ArrayList<>(JOBS);
      for (int i = 0; i < JOBS; i++) {
        sent.add(
            publisher.publish(
                Job.text(
                    "crash-" + i,
                    "shop@example.com",
                    "rcpt" + (i % 100) + "@example.net",
                    "Crash test " + i,
                    "Body " + i)));
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
    }
  }
}
