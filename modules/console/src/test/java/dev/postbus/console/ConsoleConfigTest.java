package dev.postbus.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleConfigTest {

  @Test
  void toStringPrintsNoPasswordAndNoKafkaSecret(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("password"), "correct horse battery\n");
    ConsoleConfig config =
        ConsoleConfig.builder(
                Map.of(
                    "bootstrap.servers", "kafka:9093",
                    "security.protocol", "SASL_SSL",
                    "sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required"
                            + " username=\"postbus\" password=\"kafka-secret-1\";",
                    "ssl.truststore.password", "truststore-secret-2",
                    "ssl.keystore.password", "keystore-secret-3",
                    "ssl.key.password", "key-secret-4"),
                "postbus.jobs")
            .passwordFile(file)
            .build();

    String text = config.toString();

    assertThat(text)
        .doesNotContain("correct horse battery")
        .doesNotContain("kafka-secret-1")
        .doesNotContain("truststore-secret-2")
        .doesNotContain("keystore-secret-3")
        .doesNotContain("key-secret-4")
        .contains("kafka:9093")
        .contains("SASL_SSL")
        .contains("postbus.jobs");
    assertThat(config.password()).isEqualTo("correct horse battery");
  }
}
