package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.feedback.model.BounceClass;
import dev.postbus.feedback.model.Feedback;
import dev.postbus.feedback.model.FeedbackCodec;
import dev.postbus.feedback.model.FeedbackTopic;
import dev.postbus.feedback.model.FeedbackType;
import dev.postbus.testkit.SharedKafka;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** `postbus feedback tail`, run as a user runs it, over records on a real broker. */
@ExtendWith(SharedKafka.class)
class FeedbackTailIT {

  private static Feedback bounce(String job, String recipient) {
    return new Feedback(
        FeedbackType.BOUNCE,
        BounceClass.PERMANENT,
        recipient,
        "5.1.1",
        "550 5.1.1 unknown",
        job,
        null,
        "dsn",
        "ev-" + job,
        Instant.now(),
        null);
  }

  private static void write(EmbeddedKafka kafka, String topic, Feedback f, Instant writtenAt)
      throws Exception {
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", kafka.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      p.send(
              new ProducerRecord<>(
                  FeedbackTopic.of(topic),
                  null,
                  writtenAt.toEpochMilli(),
                  FeedbackCodec.key(f),
                  FeedbackCodec.value(f, writtenAt)))
          .get();
    }
  }

  private static String topic(EmbeddedKafka kafka) throws Exception {
    String topic = SharedKafka.uniqueName("tail-jobs");
    kafka
        .admin()
        .createTopics(List.of(new NewTopic(FeedbackTopic.of(topic), 2, (short) 1)))
        .all()
        .get();
    return topic;
  }

  @Test
  void tailPrintsReportsSinceAnAgeWithTheDomainOnly(EmbeddedKafka kafka) throws Exception {
    String topic = topic(kafka);
    write(
        kafka,
        topic,
        bounce("old-job", "old@example.org"),
        Instant.now().minus(Duration.ofHours(3)));
    write(kafka, topic, bounce("new-job", "Private.Name@Example.NET"), Instant.now());

    CliIT.Result r =
        PostbusInProcess.postbus(
            "feedback", "tail", "--since", "1h", "-b", kafka.bootstrapServers(), "-t", topic);

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("TIME", "PROVIDER", "DOMAIN", "new-job", "dsn", "bounce", "permanent")
        .contains("example.net")
        .doesNotContain("old-job")
        .doesNotContainIgnoringCase("private.name")
        .contains("1 reports since");
  }

  @Test
  void followPrintsReportsAsTheyArrive(EmbeddedKafka kafka) throws Exception {
    String topic = topic(kafka);
    write(kafka, topic, bounce("before-job", "a@before.example"), Instant.now());
    ProcessBuilder pb =
        new ProcessBuilder(
            PostbusJvm.quick(
                "feedback", "tail", "--follow", "-b", kafka.bootstrapServers(), "-t", topic));
    pb.environment().keySet().removeIf(k -> k.startsWith("POSTBUS_"));
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  lines.add(line);
                }
              } catch (java.io.IOException e) {
                // the process ended
              }
            },
            "tail-reader");
    reader.start();
    try {
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> lines.stream().anyMatch(l -> l.contains("before-job")));
      write(kafka, topic, bounce("after-job", "b@after.example"), Instant.now());
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> lines.stream().anyMatch(l -> l.contains("after-job")));
      assertThat(lines.stream().filter(l -> l.contains("after-job")).findFirst().orElseThrow())
          .contains("after.example")
          .doesNotContain("b@after.example");
      assertThat(p.isAlive()).as("--follow keeps running").isTrue();
    } finally {
      p.destroy();
      p.waitFor();
      reader.join(10_000);
    }
  }
}
