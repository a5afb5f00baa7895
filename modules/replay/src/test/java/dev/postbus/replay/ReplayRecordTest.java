package dev.postbus.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.job.PostbusHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** What a replay republishes of a dead letter's headers (no Kafka: the record is only built). */
class ReplayRecordTest {

  private static final byte[] PAYLOAD =
      ("{\"schema\":1,\"id\":\"order-1\",\"from\":\"a@example.com\",\"to\":[\"bob@example.net\","
              + "\"carol@example.org\"],\"subject\":\"s\",\"text\":\"t\"}")
          .getBytes(StandardCharsets.UTF_8);

  private final Replayer replayer = new Replayer(Map.of(), "jobs");

  private static ConsumerRecord<byte[], byte[]> deadLetter() {
    ConsumerRecord<byte[], byte[]> r =
        new ConsumerRecord<>(
            "jobs.dlt", 0, 3, "order-1".getBytes(StandardCharsets.UTF_8), PAYLOAD.clone());
    add(r, PostbusHeaders.CLASS, "poison");
    add(r, PostbusHeaders.ORIGINAL_TOPIC, "jobs");
    add(r, "tenant", "acme"); // the publisher's
    return r;
  }

  private static void add(ConsumerRecord<byte[], byte[]> r, String key, String value) {
    r.headers().add(key, value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The dead letter of a record whose postbus.recipients the worker could not use keeps it as
   * postbus.original.recipients, for the operator: a replay does not read it back as a restriction
   * (it sends to all the job's recipients, as the dead letter's reason says).
   */
  @Test
  void aKeptUnusableRestrictionIsNotReplayedAsOne() {
    ConsumerRecord<byte[], byte[]> r = deadLetter();
    add(r, PostbusHeaders.ORIGINAL_RECIPIENTS, "[\"bob@example.net\", null]");

    ProducerRecord<byte[], byte[]> again = replayer.replayRecord(DeadLetter.of(r));

    assertThat(again.headers().lastHeader(PostbusHeaders.RECIPIENTS)).isNull();
    assertThat(again.headers().lastHeader(PostbusHeaders.ORIGINAL_RECIPIENTS)).isNull();
    assertThat(again.headers().lastHeader("tenant")).isNotNull();
    assertThat(DeadLetter.of(r).recipients())
        .as("what the dead letter is about: every recipient of the job")
        .containsExactly("bob@example.net", "carol@example.org");
  }

  @Test
  void aRestrictionIsReplayedAsItIs() {
    ConsumerRecord<byte[], byte[]> r = deadLetter();
    byte[] only = "[\"carol@example.org\"]".getBytes(StandardCharsets.UTF_8);
    r.headers().add(PostbusHeaders.RECIPIENTS, only);

    ProducerRecord<byte[], byte[]> again = replayer.replayRecord(DeadLetter.of(r));

    assertThat(again.headers().lastHeader(PostbusHeaders.RECIPIENTS).value()).isEqualTo(only);
    assertThat(again.headers().lastHeader(PostbusHeaders.ORIGINAL_TOPIC)).isNull();
  }

  /** A dead letter goes back to its class's topic, as its postbus.class header says. */
  @Test
  void aBulkDeadLetterIsReplayedToTheBulkTopic() {
    ConsumerRecord<byte[], byte[]> bulk = deadLetter();
    add(bulk, PostbusHeaders.JOB_CLASS, "bulk");
    ConsumerRecord<byte[], byte[]> transactional = deadLetter();
    add(transactional, PostbusHeaders.JOB_CLASS, "transactional");

    assertThat(replayer.replayRecord(DeadLetter.of(bulk)).topic()).isEqualTo("jobs.bulk");
    assertThat(replayer.replayRecord(DeadLetter.of(transactional)).topic()).isEqualTo("jobs");
    assertThat(replayer.replayRecord(DeadLetter.of(deadLetter())).topic())
        .as("no header: a dead letter of before the classes")
        .isEqualTo("jobs");
  }

  /** A class header that is neither class goes to the jobs topic, and the replay says so. */
  @Test
  void anUnknownClassIsReplayedToTheJobsTopicAndNamed() {
    ConsumerRecord<byte[], byte[]> odd = deadLetter();
    add(odd, PostbusHeaders.JOB_CLASS, "Bulk ");

    assertThat(replayer.replayRecord(DeadLetter.of(odd)).topic()).isEqualTo("jobs");
    assertThat(Replayer.unknownClass(DeadLetter.of(odd))).isEqualTo("Bulk ");
    assertThat(Replayer.unknownClass(DeadLetter.of(deadLetter()))).isNull();
  }
}
