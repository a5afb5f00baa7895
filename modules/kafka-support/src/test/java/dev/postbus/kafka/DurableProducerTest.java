package dev.postbus.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class DurableProducerTest {

  @Test
  void theUsersSettingsStayButCannotWeakenDurability() {
    Map<String, Object> user = new HashMap<>();
    user.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka:9092");
    user.put(ProducerConfig.ACKS_CONFIG, "1");
    user.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    user.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    user.put(ProducerConfig.LINGER_MS_CONFIG, "20");

    Map<String, Object> settings = DurableProducer.settings(user);

    assertThat(settings)
        .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
        .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
        .containsEntry(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1")
        .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka:9092")
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "20");
    assertThat(user).containsEntry(ProducerConfig.ACKS_CONFIG, "1"); // a copy: the user's map stays
    settings.put(ProducerConfig.LINGER_MS_CONFIG, "0"); // and the copy is the caller's to extend
  }
}
