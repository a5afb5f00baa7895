package dev.postbus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.job.Job;
import dev.postbus.job.JobCodec;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.testkit.TopicReader;
import dev.postbus.worker.topics.TopicProvisioner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python example of docs/publishing.md, taken from the document and run as written: the job
 * reaches the topic, keyed by its id, on the partition the Java client would have chosen. Skipped
 * with a message where the confluent-kafka library is not installed.
 */
@ExtendWith(SharedKafka.class)
class PublishingDocIT {

  private static final int PARTITIONS = 6;

  @Test
  void pythonExamplePublishesAJobOnTheJavaClientsPartition(EmbeddedKafka kafka, @TempDir Path dir)
      throws Exception {
    String python = pythonWithConfluentKafka();
    assumeTrue(
        python != null,
        "no python3 with confluent-kafka (apt-get install python3-confluent-kafka); "
            + "skipping the test of the Python example in docs/publishing.md");
    String topic = SharedKafka.uniqueName("doc-jobs");
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      TopicProvisioner.ensure(admin, List.of(topic), PARTITIONS, (short) 1);
    }
    Path script =
        Files.writeString(
            dir.resolve("publish.py"),
            codeBlock(Repo.text("docs/publishing.md"), "## Python", "python"));

    ProcessBuilder pb = new ProcessBuilder(python, script.toString()).redirectErrorStream(true);
    pb.environment().putAll(Map.of("KAFKA", kafka.bootstrapServers(), "TOPIC", topic));
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue())
        .as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isZero();

    List<ConsumerRecord<byte[], byte[]>> records =
        TopicReader.read(kafka.bootstrapServers(), topic, 1, Duration.ofSeconds(30));
    assertThat(records).hasSize(1);
    ConsumerRecord<byte[], byte[]> r = records.get(0);
    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("order-42");
    Job job = new JobCodec().read(r.value());
    assertThat(job.id()).isEqualTo("order-42");

    int javaPartition = Utils.toPositive(Utils.murmur2(r.key())) % PARTITIONS;
    CRC32 crc = new CRC32();
    crc.update(r.key());
    int librdkafkaDefault = (int) (crc.getValue() % PARTITIONS);
    assertThat(javaPartition)
        .as("the key must tell the two partitioners apart")
        .isNotEqualTo(librdkafkaDefault);
    assertThat(r.partition()).isEqualTo(javaPartition);
  }

  /** The first fenced block of {@code language} after {@code heading}. */
  static String codeBlock(String markdown, String heading, String language) {
    int at = markdown.indexOf("\n" + heading);
    assertThat(at).as("heading %s", heading).isPositive();
    int start = markdown.indexOf("```" + language + "\n", at);
    assertThat(start).as("a ```%s block after %s", language, heading).isPositive();
    start += language.length() + 4;
    return markdown.substring(start, markdown.indexOf("```", start));
  }

  private static String pythonWithConfluentKafka() throws Exception {
    for (String candidate : List.of("python3", "/usr/bin/python3")) {
      try {
        Process p =
            new ProcessBuilder(candidate, "-c", "import confluent_kafka")
                .redirectErrorStream(true)
                .start();
        if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return candidate;
        }
      } catch (java.io.IOException notThere) {
        // try the next one
      }
    }
    return null;
  }
}
