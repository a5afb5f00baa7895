package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.replay.DeadLetterFilter;
import dev.postbus.replay.Replayer;
import dev.postbus.replay.TimeBound;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A replay that fails part-way through a batch remembers what it did republish, so running it again
 * sends nothing twice; an {@code --until} instant replays what the preview said it would.
 */
@ExtendWith(SharedKafka.class)
class ReplayPartialIT {

  private static final int LARGE_TOPIC_BYTES = 10_000_000;

  @Test
  void aDeadLetterTooLargeToSendIsReportedAndTheRestIsRepublishedOnce(EmbeddedKafka kafka)
      throws Exception {
    String topic = topics(kafka, "toolarge");
    Instant failed = Instant.now().minus(Duration.ofHours(1));
    write(kafka, topic, "small-0", failed, 10);
    write(kafka, topic, "large", failed, 1_200_000); // over the producer's 1 MiB request
    write(kafka, topic, "small-1", failed, 10);
    write(kafka, topic, "small-2", failed, 10);
    // all four come in one poll; the replay producer keeps Kafka's default request size
    Replayer replayer =
        new Replayer(
            Map.of(
                "bootstrap.servers",
                kafka.bootstrapServers(),
                "max.partition.fetch.bytes",
                LARGE_TOPIC_BYTES,
                "max.request.size",
                1024 * 1024),
            topic);
    Replayer.Request all = new Replayer.Request(DeadLetterFilter.ALL, false, 1000, 0);

    Replayer.Result first = replayer.replay(all, d -> {});
    assertThat(jobs(kafka, topic, 3)).hasSize(3);
    assertThat(first.matched()).isEqualTo(3);
    assertThat(first.notReplayable()).isEqualTo(1);
    assertThat(first.notReplayableSample())
        .singleElement()
        .satisfies(r -> assertThat(r.jobId()).isEqualTo("large"));

    Replayer.Result again = replayer.replay(all, d -> {});
    assertThat(again.matched()).isZero();
    assertThat(jobs(kafka, topic, 3)).as("jobs topic after the second run").hasSize(3);
  }

  @Test
  void aRunThatStopsMidBatchRemembersWhatItSent(EmbeddedKafka kafka) throws Exception {
    String topic = topics(kafka, "midbatch");
    Instant failed = Instant.now().minus(Duration.ofHours(1));
    for (int i = 0; i < 4; i++) {
      write(kafka, topic, "job-" + i, failed, 10);
    }
    Replayer replayer = new Replayer(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic);
    Replayer.Request all = new Replayer.Request(DeadLetterFilter.ALL, false, 1000, 0);

    assertThatThrownBy(
            () ->
                replayer.replay(
                    all,
                    d -> {
                      if (d.jobId().equals("job-2")) {
                        throw new IllegalStateException("stopped by the test");
                      }
                    }))
        .hasStackTraceContaining("stopped by the test");
    replayer.replay(all, d -> {});

    assertThat(TopicReader.keys(jobs(kafka, topic, 4)))
        .containsExactlyInAnyOrder("job-0", "job-1", "job-2", "job-3");
  }

  @Test
  void anUntilInstantReplaysWhatFollowsATooRecentDeadLetter(EmbeddedKafka kafka) throws Exception {
    String topic = topics(kafka, "until");
    Instant until = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
    write(kafka, topic, "too-recent", until.plusSeconds(1), 10); // another worker's clock
    write(kafka, topic, "in-range", until.minusSeconds(1), 10);
    Replayer replayer = new Replayer(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic);
    DeadLetterFilter filter =
        new DeadLetterFilter(
            null, TimeBound.at(until), null, null, null, dev.postbus.replay.Selection.ALL);

    Replayer.Result preview = replayer.replay(new Replayer.Request(filter, true, 1000, 0), d -> {});
    assertThat(preview.matched()).as("preview").isEqualTo(1);
    Replayer.Result run = replayer.replay(new Replayer.Request(filter, false, 1000, 0), d -> {});
    assertThat(run.matched()).as("replay").isEqualTo(1);
    Replayer.Result again = replayer.replay(new Replayer.Request(filter, false, 1000, 0), d -> {});
    assertThat(again.matched()).as("replay run again").isZero();
    assertThat(TopicReader.keys(jobs(kafka, topic, 1))).containsExactly("in-range");
  }

  /**
   * The jobs topic to its end, waiting for {@code expected} records at most: the replays have
   * returned, so all they published is there, and a record too many is read too.
   */
  private static List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> jobs(
      EmbeddedKafka kafka, String topic, int expected) {
    return TopicReader.read(kafka.bootstrapServers(), topic, expected, Duration.ofSeconds(30));
  }

  private static String topics(EmbeddedKafka kafka, String name) throws Exception {
    String topic = SharedKafka.uniqueName(name);
    Map<String, String> large = Map.of("max.message.bytes", Integer.toString(LARGE_TOPIC_BYTES));
    try (var admin = kafka.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 1, (short) 1).configs(large),
                  new NewTopic(topic + ".dlt", 1, (short) 1).configs(large)))
          .all()
          .get();
    }
    return topic;
  }

  /** One dead letter, as a worker writes it, with a payload of about {@code textBytes}. */
  private static void write(
      EmbeddedKafka kafka, String topic, String id, Instant failed, int textBytes)
      throws Exception {
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(
            Map.of(
                "bootstrap.servers",
                kafka.bootstrapServers(),
                "acks",
                "all",
                "max.request.size",
                LARGE_TOPIC_BYTES),
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
                      + "\",\"from\":\"shop@example.com\",\"to\":[\""
                      + id
                      + "@example.net\"],\"subject\":\"s\",\"text\":\""
                      + "x".repeat(textBytes)
                      + "\"}"));
      r.headers().add(PostbusHeaders.CLASS, bytes("permanent"));
      r.headers().add(PostbusHeaders.CODE, bytes("550"));
      r.headers().add(PostbusHeaders.LAST_FAILURE, bytes(failed.toString()));
      p.send(r).get();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
