package dev.postbus.worker.lifecycle;

import static org.assertj.core.api.Assertions.assertThatCode;

import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
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

  private static void open(Map<String, Object> settings) {
    new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer()).close();
  }
}
