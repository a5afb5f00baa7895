package dev.postbus.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.testkit.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code --id} matches the job's {@code id} field since it stopped matching the record key, and
 * keeps its group ({@code ids=}). A replay by id run before that, on a topic keyed by something
 * else (the recipient), matched nothing and its group remembered the topic's end: the same {@code
 * --id} after the upgrade resumes there, as documented, until the operator deletes that group.
 */
@ExtendWith(SharedKafka.class)
class ReplayByJobIdIT {

  @Test
  void aReplayByIdKeepsItsGroupFromBeforeIdsWereTheJobsIdFieldUntilTheOperatorDeletesIt(
      EmbeddedKafka kafka) throws Exception {
    String topic = SharedKafka.uniqueName("byid");
    // what `postbus dlt replay --id order-42` left before the upgrade: it matched no key, read to
    // the end, and committed it under the group its filter text ("ids=[order-42]") hashed to
    String oldGroup =
        group(topic + "|since=null;until=null;classes=[];code=null;domain=null;ids=[order-42]");
    try (var admin = kafka.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 1, (short) 1),
                  new NewTopic(topic + ".bulk", 1, (short) 1),
                  new NewTopic(topic + ".dlt", 1, (short) 1)))
          .all()
          .get();
      deadLetter(kafka, topic + ".dlt", "alice@x.com", "order-42");
      admin
          .alterConsumerGroupOffsets(
              oldGroup, Map.of(new TopicPartition(topic + ".dlt", 0), new OffsetAndMetadata(1)))
          .all()
          .get();
    }
    Replayer replayer = new Replayer(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic);
    DeadLetterFilter byId = DeadLetterFilter.of(Selection.jobIds(Set.of("order-42")));

    assertThat(replayer.list(byId, 10)).hasSize(1); // `dlt list --id order-42` shows it
    Replayer.Result resumed = replayer.replay(new Replayer.Request(byId, false, 100, 0), d -> {});
    assertThat(resumed.group()).isEqualTo(oldGroup); // the name the command prints
    assertThat(resumed.matched()).as("resumed past the dead letter").isZero();

    // docs/failures-and-retries.md: delete the group it printed, then run the replay again
    try (var admin = kafka.admin()) {
      admin.deleteConsumerGroups(List.of(resumed.group())).all().get();
    }
    Replayer.Result again = replayer.replay(new Replayer.Request(byId, false, 100, 0), d -> {});
    assertThat(again.matched()).as("dead letters replayed").isEqualTo(1);
    assertThat(again.group()).isEqualTo(oldGroup);
  }

  /** The group name as {@link Replayer#groupFor} makes it from a filter's text. */
  private static String group(String text) throws Exception {
    byte[] digest =
        MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    return "postbus-replay-" + HexFormat.of().formatHex(digest, 0, 8);
  }

  private static void deadLetter(EmbeddedKafka kafka, String dlt, String key, String id)
      throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      ProducerRecord<byte[], byte[]> r =
          new ProducerRecord<>(
              dlt,
              0,
              bytes(key),
              bytes(
                  "{\"schema\":1,\"id\":\""
                      + id
                      + "\",\"from\":\"a@example.com\",\"to\":[\""
                      + key
                      + "\"],\"subject\":\"s\",\"text\":\"t\"}"));
      r.headers()
          .add(PostbusHeaders.CLASS, bytes("permanent"))
          .add(PostbusHeaders.CODE, bytes("550"));
      producer.send(r).get();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
