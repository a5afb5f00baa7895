package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.job.JobClass;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.testkit.HttpProbe;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.lifecycle.Worker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Idempotent publishing on a real broker and a real SMTP server: a job published twice is mailed
 * once (a {@code duplicate} event for the second record), whether the second comes after the first
 * finished, while it is being sent, or to a new owner; other content under the same id is a {@code
 * conflict} dead letter (sent when replayed); a dead letter replayed twice is mailed once; a copy
 * of a delivered job on a retry tier is mailed once; {@code dedupe.window=0} sends again.
 */
@ExtendWith(SharedKafka.class)
class DedupeIT {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Map<String, String> ON = Map.of("dedupe.window", "1h");

  private static Job job(String id, String body) {
    return Job.text(id, "sender@example.com", "rcpt@example.net", "Subject", body);
  }

  @Test
  void aJobPublishedAgainAfterItWasDeliveredIsMailedOnceWithADuplicateEvent(EmbeddedKafka kafka) {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      Worker w = f.start(f.config(relay.port(), 2, "w1", ON));
      f.publish(List.of(job("twice", "body")));
      await().atMost(WAIT).until(() -> relay.received() == 1);
      f.publish(List.of(job("twice", "body")));

      String duplicate = event(f, "duplicate");
      assertThat(duplicate)
          .contains("\"jobId\":\"twice\"", "\"outcome\":\"delivered\"", "\"offset\":0");
      await().atMost(WAIT).until(() -> w.stats().duplicates() == 1);
      assertThat(relay.received()).as("mailed once").isEqualTo(1);
      assertThat(count(f, "delivered")).isEqualTo(1);
    }
  }

  @Test
  void aJobPublishedTwiceAtOnceIsNeverSentInParallel(EmbeddedKafka kafka) {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      f.publish(List.of(job("at-once", "body"), job("at-once", "body"), job("at-once", "body")));
      Worker w = f.start(f.config(relay.port(), 4, "w1", ON));

      await().atMost(WAIT).until(() -> w.stats().duplicates() == 2);
      assertThat(relay.received()).as("mailed once").isEqualTo(1);
      assertThat(count(f, "duplicate")).isEqualTo(2);
    }
  }

  @Test
  void otherContentUnderTheSameIdIsAConflictDeadLetterAndNotSent(EmbeddedKafka kafka) {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      WorkerConfig config = f.config(relay.port(), 2, "w1", ON);
      Worker w = f.start(config);
      f.publish(List.of(job("reused", "the first body")));
      await().atMost(WAIT).until(() -> relay.received() == 1);
      f.publish(List.of(job("reused", "another body")));

      ConsumerRecord<byte[], byte[]> dead = f.read(config.deadLetterTopic(), 1, WAIT).get(0);
      assertThat(Fixtures.header(dead, PostbusHeaders.CLASS)).isEqualTo("conflict");
      assertThat(Fixtures.header(dead, PostbusHeaders.REASON)).contains("reused", "other content");
      assertThat(new String(dead.value(), StandardCharsets.UTF_8)).contains("another body");
      assertThat(relay.received()).as("the second body is not sent").isEqualTo(1);
      assertThat(event(f, "dead-lettered"))
          .as("its event tells it from another dead letter by its class")
          .contains("\"class\":\"conflict\"");
      await()
          .atMost(WAIT)
          .until(
              () ->
                  HttpProbe.get(w.httpPort(), "/metrics")
                      .body()
                      .lines()
                      .anyMatch(
                          l ->
                              l.startsWith("postbus_dead_letters_total{class=\"conflict\"")
                                  && l.endsWith(" 1.0")));
    }
  }

  @Test
  void aNewOwnerKnowsTheIdsFinishedBeforeItsTakeover(EmbeddedKafka kafka) {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      Worker first = f.start(f.config(relay.port(), 2, "w1", ON));
      f.publish(List.of(job("moved", "body")));
      await().atMost(WAIT).until(() -> relay.received() == 1);
      first.close();

      Worker next = f.start(f.config(relay.port(), 2, "w2", ON));
      f.publish(List.of(job("moved", "body")));
      await().atMost(WAIT).until(() -> next.stats().duplicates() == 1);
      assertThat(event(f, "duplicate")).contains("\"worker\":\"w2\"");
      assertThat(relay.received()).as("mailed once").isEqualTo(1);
    }
  }

  /**
   * The ledger partition a worker already reads for a partition it owns (ledger: 1 partition, so
   * every source shares it) is read again for a partition it takes on: the ids another worker
   * finished there are known.
   */
  @Test
  void aPartitionMovedToAWorkerThatReadsItsLedgerPartitionAlreadyKnowsItsIds(EmbeddedKafka kafka)
      throws Exception {
    Map<String, String> settings = Map.of("dedupe.window", "1h", "retry.delays", "1s");
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers(), 2, 1, settings)) {
      Worker w1 = f.start(f.config(relay.port(), 2, "w1", settings));
      await().atMost(WAIT).until(() -> owned(f, "w1").size() == 6); // jobs, bulk, a tier: 2 each
      Worker w2 = f.start(f.config(relay.port(), 2, "w2", settings));
      await().atMost(WAIT).until(() -> owned(f, "w1").size() == 3 && owned(f, "w2").size() == 3);
      // 3 of 6 each, 2 of them a tier's: each worker owns a checked partition (jobs or bulk)
      TopicPartition moved =
          owned(f, "w2").stream()
              .filter(tp -> tp.topic().equals(f.topic) || tp.topic().equals(f.topic + ".bulk"))
              .findFirst()
              .orElseThrow();
      Job x = jobOn(moved, f.topic);

      f.publish(List.of(x));
      await().atMost(WAIT).until(() -> relay.received() == 1);
      w2.close();
      await().atMost(WAIT).until(() -> owned(f, "w1").size() == 6);
      f.publish(List.of(x));

      await().atMost(WAIT).until(() -> w1.stats().duplicates() == 1 || relay.received() > 1);
      assertThat(relay.received()).as("mailed once").isEqualTo(1);
      assertThat(w1.stats().duplicates()).isEqualTo(1);
    }
  }

  /** The partitions the group's member {@code workerId} owns now. */
  private static java.util.Set<TopicPartition> owned(Fixtures f, String workerId) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, f.bootstrap))) {
      ConsumerGroupDescription g =
          admin.describeConsumerGroups(List.of(f.group)).all().get().get(f.group);
      return g.members().stream()
          .filter(m -> m.clientId().equals(workerId))
          .flatMap(m -> m.assignment().topicPartitions().stream())
          .collect(java.util.stream.Collectors.toSet());
    }
  }

  /** A job the publisher puts on {@code tp} (its class by the topic, its id hashed to it). */
  private static Job jobOn(TopicPartition tp, String jobsTopic) {
    for (int i = 0; ; i++) {
      String id = "moved-" + i;
      int p = Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % 2;
      if (p == tp.partition()) {
        Job j = job(id, "body");
        return tp.topic().equals(jobsTopic) ? j : j.withClass(JobClass.BULK);
      }
    }
  }

  /**
   * {@code postbus dlt replay --class conflict}: other content under an id delivered, on purpose.
   */
  @Test
  void aReplayedConflictDeadLetterIsSentAnyway(EmbeddedKafka kafka) throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      WorkerConfig config = f.config(relay.port(), 2, "w1", ON);
      f.start(config);
      f.publish(List.of(job("replayed", "the first body")));
      await().atMost(WAIT).until(() -> relay.received() == 1);
      f.publish(List.of(job("replayed", "another body")));
      ConsumerRecord<byte[], byte[]> conflict = f.read(config.deadLetterTopic(), 1, WAIT).get(0);

      try (KafkaProducer<byte[], byte[]> p = producer(f)) {
        p.send(replayOf(f, conflict)).get();
      }
      await().atMost(WAIT).until(() -> relay.received() == 2);
      await().atMost(WAIT).until(() -> count(f, "delivered") == 2); // the replay's outcome
      assertThat(count(f, "duplicate")).isZero();
    }
  }

  /**
   * The same dead letter replayed twice (overlapping filters, a replay group's offsets expired, a
   * batch published again after its commit failed): the first replay is sent, the second is a
   * {@code duplicate} of it.
   */
  @Test
  void aDeadLetterReplayedTwiceIsMailedOnceWithADuplicateEvent(EmbeddedKafka kafka)
      throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.faults(
          new Faults() {
            @Override
            public Reply data(String messageId, List<String> recipients, int offered) {
              return offered == 1 ? new Reply(550, "5.7.1 Refused") : null;
            }
          });
      WorkerConfig config = f.config(relay.port(), 2, "w1", ON);
      Worker w = f.start(config);
      f.publish(List.of(job("dead-once", "body")));
      ConsumerRecord<byte[], byte[]> dead = f.read(config.deadLetterTopic(), 1, WAIT).get(0);

      try (KafkaProducer<byte[], byte[]> p = producer(f)) {
        p.send(replayOf(f, dead)).get();
        p.send(replayOf(f, dead)).get();
      }

      await().atMost(WAIT).until(() -> w.stats().duplicates() == 1 || relay.received() > 1);
      assertThat(relay.received()).as("mailed once").isEqualTo(1);
      assertThat(count(f, "delivered")).isEqualTo(1);
      assertThat(count(f, "duplicate")).isEqualTo(1);
      assertThat(event(f, "duplicate"))
          .contains("\"jobId\":\"dead-once\"", "\"outcome\":\"delivered\"");
    }
  }

  /** What {@code postbus dlt replay} publishes for a dead letter. */
  private static ProducerRecord<byte[], byte[]> replayOf(
      Fixtures f, ConsumerRecord<byte[], byte[]> dead) {
    ProducerRecord<byte[], byte[]> replay = new ProducerRecord<>(f.topic, dead.key(), dead.value());
    replay.headers().add(PostbusHeaders.REPLAY_COUNT, "1".getBytes(StandardCharsets.UTF_8));
    return replay;
  }

  /**
   * A retry record written twice (a resend after a delivery timeout that did not mean "not
   * written", or a zombie's buffered record landing after the partition's new owner sent the job):
   * a copy on the first tier of a job delivered is a {@code duplicate}, not a second mail.
   */
  @Test
  void aCopyOfADeliveredJobOnARetryTierIsMailedOnceWithADuplicateEvent(EmbeddedKafka kafka)
      throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      WorkerConfig config = f.config(relay.port(), 2, "w1", ON);
      Worker w = f.start(config);
      f.publish(List.of(job("landed-late", "body")));
      await().atMost(WAIT).until(() -> relay.received() == 1);
      ConsumerRecord<byte[], byte[]> published = f.read(f.topic, 1, WAIT).get(0);

      try (KafkaProducer<byte[], byte[]> p = producer(f)) {
        p.send(retryOf(published, config.failures().ladder().topic(f.topic, 0))).get();
      }

      await().atMost(WAIT).until(() -> w.stats().duplicates() == 1 || relay.received() > 1);
      assertThat(relay.received()).as("mailed once").isEqualTo(1);
      assertThat(count(f, "delivered")).isEqualTo(1);
      assertThat(count(f, "duplicate")).isEqualTo(1);
      assertThat(event(f, "duplicate"))
          .contains("\"jobId\":\"landed-late\"", "\"outcome\":\"delivered\"");
    }
  }

  /** What a worker writes to a tier for a record after its first failed attempt, due now. */
  private static ProducerRecord<byte[], byte[]> retryOf(
      ConsumerRecord<byte[], byte[]> r, String tierTopic) {
    ProducerRecord<byte[], byte[]> retry = new ProducerRecord<>(tierTopic, r.key(), r.value());
    String now = java.time.Instant.now().toString();
    Map.of(
            PostbusHeaders.ORIGINAL_TOPIC,
            r.topic(),
            PostbusHeaders.ORIGINAL_PARTITION,
            Integer.toString(r.partition()),
            PostbusHeaders.ORIGINAL_OFFSET,
            Long.toString(r.offset()),
            PostbusHeaders.WORKER,
            "w0",
            PostbusHeaders.JOB_CLASS,
            JobClass.TRANSACTIONAL.wire(),
            PostbusHeaders.ATTEMPT,
            "1",
            PostbusHeaders.FIRST_FAILURE,
            now,
            PostbusHeaders.DUE,
            now,
            PostbusHeaders.CLASS,
            "transient",
            PostbusHeaders.REASON,
            "451 4.3.0 Try again later")
        .forEach((k, v) -> retry.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
    return retry;
  }

  @Test
  void withTheWindowZeroAJobPublishedTwiceIsSentTwice(EmbeddedKafka kafka) {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      f.start(f.config(relay.port(), 2, "w1", Map.of("dedupe.window", "0")));
      f.publish(List.of(job("off", "body")));
      await().atMost(WAIT).until(() -> relay.received() == 1);
      f.publish(List.of(job("off", "body")));
      await().atMost(WAIT).until(() -> relay.received() == 2);
      assertThat(count(f, "duplicate")).isZero();
    }
  }

  /**
   * A worker with dedupe off still keeps each record's fingerprint in its ledger entry, so a worker
   * with it on (a rolling change of {@code dedupe.window}, or the same worker restarted with it)
   * tells an id reused with other content (a {@code conflict} dead letter, which an operator can
   * replay) from a resend; without the fingerprint the entry's content is unknown and the other job
   * would be dropped as a {@code duplicate}.
   */
  @Test
  void anIdFinishedWithDedupeOffIsAConflictForOtherContentOnceDedupeIsOn(EmbeddedKafka kafka) {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      Worker off = f.start(f.config(relay.port(), 2, "w1", Map.of("dedupe.window", "0")));
      f.publish(List.of(job("switched", "the first body")));
      await().atMost(WAIT).until(() -> count(f, "delivered") == 1);
      off.close();

      WorkerConfig on = f.config(relay.port(), 2, "w2", ON);
      Worker next = f.start(on);
      f.publish(List.of(job("switched", "another body")));
      await()
          .atMost(WAIT)
          .until(() -> next.stats().duplicates() > 0 || relay.received() > 1 || dead(f, on) > 0);
      assertThat(next.stats().duplicates()).as("not dropped as a duplicate").isZero();
      assertThat(relay.received()).as("the second body is not sent").isEqualTo(1);
      ConsumerRecord<byte[], byte[]> dead = f.read(on.deadLetterTopic(), 1, WAIT).get(0);
      assertThat(Fixtures.header(dead, PostbusHeaders.CLASS)).isEqualTo("conflict");
    }
  }

  private static int dead(Fixtures f, WorkerConfig c) {
    return f.read(c.deadLetterTopic(), 0, Duration.ofSeconds(2)).size();
  }

  private static KafkaProducer<byte[], byte[]> producer(Fixtures f) {
    return new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, f.bootstrap),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  /** The first event of this type (waiting for it). */
  private static String event(Fixtures f, String type) {
    String[] found = new String[1];
    await()
        .atMost(WAIT)
        .until(
            () -> {
              for (ConsumerRecord<byte[], byte[]> r : f.read(f.events, 0, Duration.ofSeconds(2))) {
                String v = new String(r.value(), StandardCharsets.UTF_8);
                if (v.contains("\"type\":\"" + type + "\"")) {
                  found[0] = v;
                  return true;
                }
              }
              return false;
            });
    return found[0];
  }

  private static long count(Fixtures f, String type) {
    return f.read(f.events, 0, Duration.ofSeconds(2)).stream()
        .filter(
            r ->
                new String(r.value(), StandardCharsets.UTF_8).contains("\"type\":\"" + type + "\""))
        .count();
  }
}
