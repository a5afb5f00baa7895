package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.job.JobCodec;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.ledger.LedgerEntry;
import dev.postbus.worker.ledger.LedgerMark;
import dev.postbus.worker.lifecycle.Worker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Where a new owner starts reading the send ledger, on a real broker: from the mark a worker's
 * commit carries, or by time for a commit without one (an older worker's) or with something else in
 * its metadata. The probe: an entry written to the ledger before the mark, about a record published
 * after the commit. Read from the mark, the entry is not seen and the record is sent; read by time,
 * it is seen and the record skipped. (No worker writes such an entry: it only shows where the read
 * began.) Also: an entry in the JSON of the workers before, as a rolling upgrade meets it.
 */
@ExtendWith(SharedKafka.class)
class LedgerTakeoverIT {

  private static final int JOBS = 10;

  private enum Commit {
    AS_WRITTEN,
    WITHOUT_METADATA,
    GARBAGE_METADATA
  }

  @Test
  void aNewOwnerReadsTheLedgerFromTheMarkItsCommitCarries(EmbeddedKafka kafka) throws Exception {
    assertThat(takeOver(kafka, Commit.AS_WRITTEN))
        .as("the entry before the mark is not read: the record after the commit is sent")
        .isEqualTo(JOBS + 1);
  }

  @Test
  void aCommitWithoutAMarkIsReadByTime(EmbeddedKafka kafka) throws Exception {
    assertThat(takeOver(kafka, Commit.WITHOUT_METADATA))
        .as("read from now - ledger.window: the entry is seen and the record skipped")
        .isEqualTo(JOBS);
  }

  @Test
  void aCommitWithGarbageForMetadataIsReadByTime(EmbeddedKafka kafka) throws Exception {
    assertThat(takeOver(kafka, Commit.GARBAGE_METADATA)).isEqualTo(JOBS);
  }

  @Test
  void anEntryInTheJsonOfTheWorkersBeforeIsStillHonoured(EmbeddedKafka kafka) throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers());
        KafkaProducer<byte[], byte[]> producer = producer(f)) {
      WorkerConfig config = f.config(relay.port(), 1, "upgraded", Map.of());
      String old =
          "{\"topic\":\""
              + f.topic
              + "\",\"partition\":0,\"offset\":0,\"jobId\":\"old-0\",\"at\":"
              + System.currentTimeMillis()
              + ",\"event\":{\"type\":\"delivered\",\"jobId\":\"old-0\",\"worker\":\"old\"}}";
      producer.send(new ProducerRecord<>(config.ledgerTopic(), 0, key("old-0"), bytes(old))).get();
      publish(producer, f, "old", 2);

      Worker w = f.start(config);

      await().atMost(Duration.ofSeconds(30)).until(() -> relay.received() == 1);
      await().atMost(Duration.ofSeconds(30)).until(() -> w.stats().ledgerSkips() == 1);
      assertThat(relay.received()).as("old-0 skipped, old-1 sent").isEqualTo(1);
    }
  }

  /** Runs the probe; returns how many messages the relay received in all. */
  private static int takeOver(EmbeddedKafka kafka, Commit commit) throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers());
        KafkaProducer<byte[], byte[]> producer = producer(f);
        Admin admin =
            Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, f.bootstrap))) {
      WorkerConfig first = f.config(relay.port(), 1, "first", Map.of());
      publish(producer, f, "warm", 1, 1);
      Worker w1 = f.start(first);
      // a job delivered: the assignment callback, and its takeover read, are over
      await().atMost(Duration.ofSeconds(30)).until(() -> relay.received() == 1);
      // the probe, about the record that comes after JOBS
      LedgerEntry probe =
          new LedgerEntry(f.topic, 0, JOBS, "late-0", System.currentTimeMillis(), null);
      producer
          .send(new ProducerRecord<>(first.ledgerTopic(), 0, key("late-0"), probe.encode()))
          .get();
      publish(producer, f, "early", JOBS);
      await().atMost(Duration.ofSeconds(30)).until(() -> relay.received() == 1 + JOBS);
      TopicPartition p0 = new TopicPartition(f.topic, 0);
      await().atMost(Duration.ofSeconds(30)).until(() -> committed(admin, f, p0).offset() == JOBS);
      // every partition sharing ledger partition 0 (the tiers' too, committed again every few
      // seconds while idle) committed with a mark past the probe
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> lowestMarkOfLedgerPartition0(admin, f) > 0);
      w1.close();
      OffsetAndMetadata written = committed(admin, f, p0);
      assertThat(LedgerMark.parse(written.metadata()))
          .as("the commit carries the ledger mark: %s", written.metadata())
          .hasValueSatisfying(
              m -> {
                assertThat(m.topic()).isEqualTo(first.ledgerTopic());
                assertThat(m.offset()).as("after the probe").isGreaterThan(0);
              });
      if (commit != Commit.AS_WRITTEN) {
        String metadata = commit == Commit.WITHOUT_METADATA ? "" : "postbus.ledger:1:garbage";
        admin
            .alterConsumerGroupOffsets(f.group, Map.of(p0, new OffsetAndMetadata(JOBS, metadata)))
            .all()
            .get();
      }
      publish(producer, f, "late", 1);

      Worker w2 = f.start(f.config(relay.port(), 1, "second", Map.of()));

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> committed(admin, f, p0).offset() == JOBS + 1);
      int sent = (int) relay.received() - 1; // without the warm-up job
      assertThat(w2.stats().ledgerSkips()).isEqualTo(sent == JOBS ? 1 : 0);
      return sent;
    }
  }

  /** The lowest mark the group's commits carry for ledger partition 0; -1 when one has none. */
  private static long lowestMarkOfLedgerPartition0(Admin admin, Fixtures f) throws Exception {
    long lowest = Long.MAX_VALUE;
    int sources = 0;
    for (var e :
        admin.listConsumerGroupOffsets(f.group).partitionsToOffsetAndMetadata().get().entrySet()) {
      if (e.getKey().partition() % Fixtures.PARTITIONS == 0) {
        sources++;
        long mark = LedgerMark.parse(e.getValue().metadata()).map(LedgerMark::offset).orElse(-1L);
        lowest = Math.min(lowest, mark);
      }
    }
    return sources < 5 ? -1 : lowest; // the jobs topic's and the four tiers'
  }

  private static OffsetAndMetadata committed(Admin admin, Fixtures f, TopicPartition tp)
      throws Exception {
    OffsetAndMetadata o =
        admin.listConsumerGroupOffsets(f.group).partitionsToOffsetAndMetadata().get().get(tp);
    return o == null ? new OffsetAndMetadata(0) : o;
  }

  /** Jobs prefix-0 .. prefix-(n-1), all to partition 0 of the jobs topic. */
  private static void publish(
      KafkaProducer<byte[], byte[]> producer, Fixtures f, String prefix, int n) throws Exception {
    publish(producer, f, prefix, n, 0);
  }

  private static void publish(
      KafkaProducer<byte[], byte[]> producer, Fixtures f, String prefix, int n, int partition)
      throws Exception {
    JobCodec codec = new JobCodec();
    for (int i = 0; i < n; i++) {
      String id = prefix + "-" + i;
      Job job = Job.text(id, "sender@example.com", "rcpt@example.net", "Message " + i, "Body");
      producer.send(new ProducerRecord<>(f.topic, partition, key(id), codec.encode(job))).get();
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(Fixtures f) {
    return new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, f.bootstrap),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  private static byte[] key(String id) {
    return bytes(id);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
