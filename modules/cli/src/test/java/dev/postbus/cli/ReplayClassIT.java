package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.job.JobClass;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.kafka.DurableProducer;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A dead letter is replayed to its class's topic, as its {@code postbus.class} header says: a bulk
 * one to {@code <topic>.bulk}, a transactional one (or one of before the classes) to the jobs
 * topic; a header naming neither class goes to the jobs topic, and the replay says so.
 */
@ExtendWith(SharedKafka.class)
class ReplayClassIT {

  @Test
  void eachDeadLetterIsReplayedToItsClassTopicOnce(EmbeddedKafka kafka) throws Exception {
    String topic = SharedKafka.uniqueName("classes");
    String bulkTopic = JobClass.BULK.topic(topic);
    try (var admin = kafka.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 1, (short) 1),
                  new NewTopic(bulkTopic, 1, (short) 1),
                  new NewTopic(topic + ".dlt", 1, (short) 1)))
          .all()
          .get();
    }
    deadLetter(kafka, topic, "campaign-1", "bulk");
    deadLetter(kafka, topic, "receipt-1", "transactional");
    deadLetter(kafka, topic, "older-1", null);
    deadLetter(kafka, topic, "odd-1", "newsletter");

    CliIT.Result first = ReplayOnceIT.replayThroughLauncher(kafka, topic);
    assertThat(first.exit()).as(first.err()).isZero();

    CliIT.Result again = ReplayOnceIT.replay(kafka, topic);
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("0 dead letters replayed");

    // both runs have ended: each topic to its end holds all they published
    assertThat(
            TopicReader.keys(
                TopicReader.read(kafka.bootstrapServers(), bulkTopic, 1, Duration.ofSeconds(30))))
        .containsExactly("campaign-1");
    assertThat(
            TopicReader.keys(
                TopicReader.read(kafka.bootstrapServers(), topic, 3, Duration.ofSeconds(30))))
        .containsExactly("receipt-1", "older-1", "odd-1");
    // and the replay said where they went
    assertThat(first.out())
        .contains("4 dead letters replayed")
        .contains("1 of them bulk, to " + bulkTopic)
        .contains("odd-1")
        .contains("class header \"newsletter\" names neither class: replayed to " + topic);
  }

  /**
   * A bulk dead letter whose class topic does not exist stops the replay at once with a message
   * naming the topic and how to create it, not after the producer's metadata wait; what was
   * replayed before it is remembered, and the same replay run again once the topic exists replays
   * the rest.
   */
  @Test
  void aReplayToAMissingBulkTopicFailsAtOnceNamingItAndResumesOnceItExists(EmbeddedKafka kafka)
      throws Exception {
    String topic = SharedKafka.uniqueName("nobulk");
    String bulkTopic = JobClass.BULK.topic(topic);
    try (var admin = kafka.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 1, (short) 1), new NewTopic(topic + ".dlt", 1, (short) 1)))
          .all()
          .get();
    }
    deadLetter(kafka, topic, "receipt-1", "transactional");
    deadLetter(kafka, topic, "campaign-1", "bulk");

    CliIT.Result preview = ReplayOnceIT.replay(kafka, topic, "--dry-run");
    assertThat(preview.exit()).as(preview.err()).isZero();
    assertThat(preview.out())
        .contains("warning: " + bulkTopic + " does not exist")
        .contains("postbus topics create -t " + topic);

    CliIT.Result first = ReplayOnceIT.replay(kafka, topic);
    assertThat(first.exit()).as(first.out()).isEqualTo(1);
    assertThat(first.err())
        .contains(bulkTopic + " does not exist")
        .contains("1 dead letter was replayed before it")
        .contains("postbus topics create -t " + topic)
        // stopped by the topic check, not by the producer's metadata wait running out
        .doesNotContain("Kafka did not take")
        .doesNotContain("\tat ");

    try (var admin = kafka.admin()) {
      admin.createTopics(List.of(new NewTopic(bulkTopic, 1, (short) 1))).all().get();
    }
    CliIT.Result again = ReplayOnceIT.replay(kafka, topic);
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("1 dead letters replayed");
    assertThat(
            TopicReader.keys(
                TopicReader.read(kafka.bootstrapServers(), bulkTopic, 1, Duration.ofSeconds(30))))
        .containsExactly("campaign-1");
    assertThat(
            TopicReader.keys(
                TopicReader.read(kafka.bootstrapServers(), topic, 1, Duration.ofSeconds(30))))
        .as("the dead letter replayed before the failure is not replayed twice")
        .containsExactly("receipt-1");
  }

  /** A dead letter as a worker writes it, of the class {@code jobClass} (null: no header). */
  private static void deadLetter(EmbeddedKafka kafka, String topic, String id, String jobClass)
      throws Exception {
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(
            DurableProducer.settings(Map.of("bootstrap.servers", kafka.bootstrapServers())),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      ProducerRecord<byte[], byte[]> r =
          new ProducerRecord<>(
              topic + ".dlt",
              0,
              bytes(id),
              bytes(
                  "{\"schema\":1,\"id\":\""
                      + id
                      + "\",\"from\":\"shop@example.com\",\"to\":[\"someone@example.net\"],"
                      + "\"subject\":\"s\",\"text\":\"t\"}"));
      r.headers().add(PostbusHeaders.CLASS, bytes("permanent"));
      r.headers().add(PostbusHeaders.CODE, bytes("550"));
      r.headers()
          .add(PostbusHeaders.LAST_FAILURE, bytes(Instant.now().minusSeconds(60).toString()));
      if (jobClass != null) {
        r.headers().add(PostbusHeaders.JOB_CLASS, bytes(jobClass));
      }
      p.send(r).get();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
