package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.CapturedMessage;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.job.JobCodec;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.lifecycle.Worker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * notBefore holds a job on the retry ladder until its time while the jobs behind it in the same
 * partition go out at once; expiresAt dead-letters a job not sent in time with class expired.
 */
@ExtendWith(SharedKafka.class)
class ScheduledSendIT {

  static final Duration AHEAD = Duration.ofSeconds(6);

  @Test
  void aScheduledJobWaitsWithoutHoldingItsPartitionAndAnExpiredOneIsDeadLettered(
      EmbeddedKafka kafka) throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      Map<String, Instant> arrived = new ConcurrentHashMap<>();
      relay.onMessage((CapturedMessage m) -> arrived.put(m.messageId(), m.receivedAt()));
      Worker w = f.start(f.config(relay.port(), 2, "scheduler", Map.of()));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> w.ownedPartitions() == Fixtures.PARTITIONS);

      Instant notBefore = Instant.now().plus(AHEAD);
      Job later =
          with(
              Job.text("later", "shop@example.com", "bob@example.net", "Later", "Hello later"),
              notBefore,
              null);
      Job expired =
          with(
              Job.text("too-late", "shop@example.com", "bob@example.net", "Too late", "Hello"),
              null,
              Instant.now().minusSeconds(1));
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  f.bootstrap,
                  ProducerConfig.ACKS_CONFIG,
                  "all"),
              new ByteArraySerializer(),
              new ByteArraySerializer())) {
        send(producer, f.topic, later);
        for (int i = 0; i < 20; i++) { // behind it, in the same partition
          send(
              producer,
              f.topic,
              Job.text("now-" + i, "shop@example.com", "bob@example.net", "Now " + i, "Hello"));
        }
        send(producer, f.topic, expired);
        producer.flush();
      }

      await()
          .atMost(AHEAD.plusSeconds(30))
          .until(
              () ->
                  arrived.containsKey("<later@example.com>")
                      && arrived.keySet().stream().filter(id -> id.startsWith("<now-")).count()
                          == 20);
      assertThat(arrived)
          .as("the 20 jobs behind the scheduled one went out before its time, not after it")
          .allSatisfy(
              (id, at) -> {
                if (id.startsWith("<now-")) {
                  assertThat(at).isBefore(notBefore);
                }
              });
      assertThat(arrived.get("<later@example.com>"))
          .as("the scheduled job is not sent early")
          .isAfterOrEqualTo(notBefore)
          .isBefore(notBefore.plusSeconds(10));
      assertThat(relay.countsByMessageId()).doesNotContainKey("<too-late@example.com>");

      List<ConsumerRecord<byte[], byte[]>> dead =
          f.read(f.topic + ".dlt", 1, Duration.ofSeconds(30));
      assertThat(dead).hasSize(1);
      assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("too-late");
      assertThat(Fixtures.header(dead.get(0), PostbusHeaders.CLASS)).isEqualTo("expired");
      assertThat(Fixtures.header(dead.get(0), PostbusHeaders.REASON)).startsWith("expiresAt");
      assertThat(relay.countsByMessageId().values()).allMatch(n -> n == 1);
    }
  }

  private static Job with(Job j, Instant notBefore, Instant expiresAt) {
    return new Job(
        j.schema(),
        j.id(),
        j.from(),
        j.replyTo(),
        j.to(),
        j.cc(),
        j.bcc(),
        j.subject(),
        j.text(),
        j.html(),
        j.headers(),
        j.attachments(),
        j.tags(),
        notBefore,
        expiresAt);
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String topic, Job job) {
    producer.send(
        new ProducerRecord<>(
            topic, 0, job.id().getBytes(StandardCharsets.UTF_8), new JobCodec().encode(job)));
  }
}
