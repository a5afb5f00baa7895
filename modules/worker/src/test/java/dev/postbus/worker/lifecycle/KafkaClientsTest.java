package dev.postbus.worker.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {

  @Test
  void theLedgersProducerAcceptsADeliveryTimeoutTheOtherProducersAccept() {
    WorkerConfig c =
        WorkerConfig.from(
            Settings.of(
                Map.of(
                    "kafka.client.delivery.timeout.ms", "30000",
                    "kafka.client.request.timeout.ms", "29500")));
    assertThatCode(() -> open(KafkaClients.producer(c))).doesNotThrowAnyException();

    assertThatCode(() -> open(KafkaClients.ledgerProducer(c)))
        .as("the ledger's producer with the user's delivery.timeout.ms=30000")
        .doesNotThrowAnyException();
  }

  @Test
  void theLedgersProducerStartsWhateverTheUsersLinger() {
    WorkerConfig c =
        WorkerConfig.from(
            Settings.of(
                Map.of(
                    "kafka.client.linger.ms", "0",
                    "kafka.client.delivery.timeout.ms", "30000",
                    "kafka.client.request.timeout.ms", "30000")));
    assertThatCode(() -> open(KafkaClients.producer(c))).doesNotThrowAnyException();

    assertThatCode(() -> open(KafkaClients.ledgerProducer(c)))
        .as("the ledger's producer with the user's linger.ms=0, delivery.timeout.ms=30000")
        .doesNotThrowAnyException();
  }

  /**
   * job.max-bytes up to 100 MiB is accepted: the producer must take the retry record or dead letter
   * of such a job (Kafka refuses, before sending, a record over max.request.size or buffer.memory).
   */
  @Test
  void theWorkersProducerTakesTheLargestRecordItMayWrite() {
    WorkerConfig c = WorkerConfig.from(Settings.of(Map.of("job.max-bytes", "33554432")));
    int largest = c.largestRecordBytes();
    for (Map<String, Object> p : List.of(KafkaClients.producer(c))) {
      assertThat(Integer.parseInt(p.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG).toString()))
          .isGreaterThanOrEqualTo(largest);
      assertThat(Long.parseLong(p.get(ProducerConfig.BUFFER_MEMORY_CONFIG).toString()))
          .as("buffer.memory")
          .isGreaterThanOrEqualTo(largest);
    }
    Map<String, Object> small = KafkaClients.producer(WorkerConfig.from(Settings.of(Map.of())));
    assertThat(small)
        .as("the default job.max-bytes keeps the 16 MiB buffer of the heap bound")
        .containsEntry(
            ProducerConfig.BUFFER_MEMORY_CONFIG,
            Integer.toString(KafkaClients.PRODUCER_BUFFER_BYTES));
  }

  private static void open(Map<String, Object> settings) {
    new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer()).close();
  }
}
