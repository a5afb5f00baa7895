package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.ledger.LedgerEntry;
import dev.postbus.worker.ledger.LedgerReader;
import dev.postbus.worker.lifecycle.Worker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker that died after its ledger entry was acknowledged and before its {@code delivered} event
 * was: the new owner skips the job through the ledger (no second send) and writes the event the
 * entry carries (issue 21). The dead worker's entry is written by hand, on a real broker.
 */
@ExtendWith(SharedKafka.class)
class LedgerSkipEventIT {

  @Test
  void aJobSkippedThroughTheLedgerHasItsDeliveredEventWritten(EmbeddedKafka kafka)
      throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      f.publish("skip", 1);
      ConsumerRecord<byte[], byte[]> job = f.read(f.topic, 1, Duration.ofSeconds(30)).get(0);
      WorkerConfig config = f.config(relay.port(), 1, "new-owner", Map.of());
      String event =
          "{\"type\":\"delivered\",\"jobId\":\"skip-0\",\"attempt\":1,\"worker\":\"dead-worker\"}";
      LedgerEntry entry =
          new LedgerEntry(
              f.topic,
              job.partition(),
              job.offset(),
              "skip-0",
              System.currentTimeMillis(),
              event.getBytes(StandardCharsets.UTF_8));
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(
              Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, f.bootstrap),
              new ByteArraySerializer(),
              new ByteArraySerializer())) {
        producer
            .send(
                new ProducerRecord<>(
                    config.ledgerTopic(),
                    LedgerReader.ledgerPartition(job.partition(), Fixtures.PARTITIONS),
                    "skip-0".getBytes(StandardCharsets.UTF_8),
                    entry.encode()))
            .get();
      }

      Worker w = f.start(config);
      List<ConsumerRecord<byte[], byte[]>> events = f.read(f.events, 1, Duration.ofSeconds(30));
      assertThat(events).as("a delivered event for the skipped job").isNotEmpty();
      assertThat(new String(events.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("skip-0");
      assertThat(new String(events.get(0).value(), StandardCharsets.UTF_8))
          .as("the event the ledger entry carries: same job id and attempt")
          .contains("\"type\":\"delivered\"", "\"jobId\":\"skip-0\"", "\"worker\":\"dead-worker\"");
      await().atMost(Duration.ofSeconds(30)).until(() -> w.stats().ledgerSkips() == 1);
      assertThat(relay.received()).as("skipped, not sent again").isZero();
    }
  }
}
