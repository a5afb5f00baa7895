package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.config.WorkerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Idempotent publishing for producers other than {@code JobPublisher} ({@link DedupeIT} publishes
 * through it): kcat run twice, before and after the first copy finished, and the plain Kafka client
 * publishing again after its send timed out, are mailed once with a {@code duplicate} event naming
 * the first record; kcat publishing other bytes under the same id is a {@code conflict} dead
 * letter. One worker, relay and set of topics for the class; each test its own job ids.
 */
@ExtendWith(SharedKafka.class)
class DedupeProducersIT {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static SmtpCapture relay;
  private static Fixtures f;
  private static WorkerConfig config;

  @BeforeAll
  static void startWorker(EmbeddedKafka kafka) {
    relay = SmtpCapture.start(0);
    f = new Fixtures(kafka.bootstrapServers());
    config = f.config(relay.port(), 2, "w1", Map.of("dedupe.window", "1h"));
    f.start(config);
  }

  @AfterAll
  static void stopWorker() {
    if (f != null) {
      f.close();
    }
    if (relay != null) {
      relay.close();
    }
  }

  @AfterEach
  void noListener() {
    relay.onMessage(m -> {});
  }

  @Test
  void kcatRunTwiceAfterTheFirstCopyFinishedIsMailedOnce() {
    assumeKcat();
    String id = "kcat-after";
    kcat(id, job(id, "Hello"));
    await().atMost(WAIT).until(() -> events(id, "delivered").size() == 1);
    kcat(id, job(id, "Hello"));

    awaitDecided(id, "duplicate");
    assertThat(mails(id)).as("mailed once").isEqualTo(1);
    assertNamesTheFirstRecord(events(id, "duplicate"), id);
    assertThat(events(id, "delivered")).hasSize(1);
  }

  /**
   * The relay holds its reply to the first copy (its listener runs before the reply) while kcat
   * publishes the second: the second is on the topic before the first finished.
   */
  @Test
  void kcatRunTwiceWhileTheFirstCopyIsBeingSentIsMailedOnce() throws Exception {
    assumeKcat();
    String id = "kcat-during";
    CountDownLatch release = new CountDownLatch(1);
    relay.onMessage(
        m -> {
          if (messageId(id).equals(m.messageId())) {
            awaitQuietly(release);
          }
        });
    try {
      kcat(id, job(id, "Hello"));
      await().atMost(WAIT).until(() -> mails(id) == 1);
      kcat(id, job(id, "Hello"));
      assertThat(events(id, "delivered")).as("the first copy is still being sent").isEmpty();
    } finally {
      release.countDown();
    }

    awaitDecided(id, "duplicate");
    assertThat(mails(id)).as("mailed once").isEqualTo(1);
    assertNamesTheFirstRecord(events(id, "duplicate"), id);
  }

  /**
   * A producer application that gives up waiting and publishes again. Kafka's own idempotence
   * ({@code enable.idempotence}, on here as docs/publishing.md asks) only covers the client's
   * internal retries of one {@code send}: a second {@code send} of the same bytes is a new record
   * with its own sequence number, and the broker writes both. So the application's view is what has
   * to time out while the client still delivers: its {@code send(...).get(100 ms)} throws {@link
   * TimeoutException} while the record is still in the client's hands (held by {@code linger.ms} of
   * a minute, standing in for a slow broker or a leader election, which makes the timeout certain
   * rather than a race), and the record is written anyway when the client flushes. The application
   * publishes the same bytes again and waits for that: the job is on the topic twice, and the first
   * send, which the application took for failed, succeeded.
   */
  @Test
  void theJavaClientPublishingAgainAfterItsSendTimedOutIsMailedOnce() throws Exception {
    String id = "java-timeout";
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(f.topic, bytes(id), bytes(job(id, "Hello")));
    try (KafkaProducer<byte[], byte[]> producer = slowProducer()) {
      Future<RecordMetadata> first = producer.send(record);
      assertThatThrownBy(() -> first.get(100, TimeUnit.MILLISECONDS))
          .isInstanceOf(TimeoutException.class);

      Future<RecordMetadata> again = producer.send(record);
      producer.flush();
      assertThat(again.get(WAIT.toSeconds(), TimeUnit.SECONDS).offset())
          .as("the send the application took for failed was written too")
          .isGreaterThan(first.get(WAIT.toSeconds(), TimeUnit.SECONDS).offset());
    }
    List<ConsumerRecord<byte[], byte[]>> copies = records(f.topic, id);
    assertThat(copies).as("on the topic twice").hasSize(2);
    assertThat(copies.get(1).value()).isEqualTo(copies.get(0).value());

    awaitDecided(id, "duplicate");
    assertThat(mails(id)).as("mailed once").isEqualTo(1);
    // The two copies sit side by side and reach two lanes at once: whichever claims the id first
    // is the original (the promise is one mail, not which copy), the other names it.
    List<JsonNode> duplicates = events(id, "duplicate");
    assertThat(duplicates).hasSize(1);
    JsonNode original = duplicates.get(0).path("original");
    assertThat(original.path("partition").asInt()).isEqualTo(copies.get(0).partition());
    assertThat(original.path("offset").asLong())
        .isIn(copies.get(0).offset(), copies.get(1).offset());
    assertThat(original.path("outcome").asText()).isEqualTo("delivered");
    assertThat(events(id, "delivered")).hasSize(1);
  }

  @Test
  void kcatPublishingOtherBytesUnderTheSameIdIsAConflictDeadLetter() {
    assumeKcat();
    String id = "kcat-reused";
    kcat(id, job(id, "the first body"));
    await().atMost(WAIT).until(() -> events(id, "delivered").size() == 1);
    kcat(id, job(id, "another body"));

    await()
        .atMost(WAIT)
        .until(() -> !records(config.deadLetterTopic(), id).isEmpty() || mails(id) > 1);
    assertThat(mails(id)).as("the second body is not sent").isEqualTo(1);
    ConsumerRecord<byte[], byte[]> dead = records(config.deadLetterTopic(), id).get(0);
    assertThat(Fixtures.header(dead, PostbusHeaders.CLASS)).isEqualTo("conflict");
    assertThat(Fixtures.header(dead, PostbusHeaders.REASON)).contains(id, "other content");
    assertThat(new String(dead.value(), StandardCharsets.UTF_8)).contains("another body");
    await() // the event goes out after the dead letter, possibly in a later request
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(events(id, "dead-lettered"))
                    .singleElement()
                    .satisfies(e -> assertThat(e.path("class").asText()).isEqualTo("conflict")));
    assertThat(events(id, "duplicate")).isEmpty();
  }

  /** Waits until the second copy of {@code id} was decided ({@code type}) or mailed again. */
  private static void awaitDecided(String id, String type) {
    await().atMost(WAIT).until(() -> !events(id, type).isEmpty() || mails(id) > 1);
  }

  /** Exactly one event, naming the first record of {@code id} and its outcome. */
  private static void assertNamesTheFirstRecord(List<JsonNode> duplicates, String id) {
    ConsumerRecord<byte[], byte[]> first = records(f.topic, id).get(0);
    assertThat(duplicates).hasSize(1);
    JsonNode original = duplicates.get(0).path("original");
    assertThat(original.path("topic").asText()).isEqualTo(first.topic());
    assertThat(original.path("partition").asInt()).isEqualTo(first.partition());
    assertThat(original.path("offset").asLong()).isEqualTo(first.offset());
    assertThat(original.path("outcome").asText()).isEqualTo("delivered");
  }

  private static String job(String id, String text) {
    return "{\"schema\":1,\"id\":\""
        + id
        + "\",\"from\":\"shop@example.com\",\"to\":[\"bob@example.net\"],"
        + "\"subject\":\"Hi\",\"text\":\""
        + text
        + "\"}";
  }

  private static String messageId(String id) {
    return "<" + id + "@example.com>";
  }

  private static int mails(String id) {
    return relay.countsByMessageId().getOrDefault(messageId(id), 0);
  }

  /** The events of this type for this job id. */
  private static List<JsonNode> events(String id, String type) {
    return f.read(f.events, 0, Duration.ofSeconds(2)).stream()
        .map(r -> tree(r.value()))
        .filter(e -> e.path("jobId").asText().equals(id) && e.path("type").asText().equals(type))
        .toList();
  }

  /** The records of {@code topic} keyed by {@code id}, in offset order. */
  private static List<ConsumerRecord<byte[], byte[]>> records(String topic, String id) {
    return f.read(topic, 0, Duration.ofSeconds(2)).stream()
        .filter(r -> r.key() != null && Arrays.equals(r.key(), bytes(id)))
        .sorted(java.util.Comparator.comparingLong(ConsumerRecord::offset))
        .toList();
  }

  private static JsonNode tree(byte[] value) {
    try {
      return JSON.readTree(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** As docs/publishing.md asks (acks=all, idempotence, keyed by id), but holding its batches. */
  private static KafkaProducer<byte[], byte[]> slowProducer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, f.bootstrap,
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
            ProducerConfig.LINGER_MS_CONFIG, "60000",
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000"),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  private static void assumeKcat() {
    assumeTrue(
        KcatPublishIT.kcatInstalled(),
        "kcat is not installed (apt-get install -y kcat); skipping the kcat dedupe tests");
  }

  /** docs/publishing.md's kcat command: one record, keyed by {@code id}, murmur2 as Java does. */
  private static void kcat(String id, String job) {
    String command =
        "printf '%s\\n' \"$JOB\" | kcat -P -b \"$BROKERS\" -t \"$TOPIC\" -k \"$KEY\" "
            + "-X partitioner=murmur2_random";
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true);
    pb.environment()
        .putAll(Map.of("JOB", job, "BROKERS", f.bootstrap, "TOPIC", f.topic, "KEY", id));
    Process p = null;
    try {
      p = pb.start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("kcat did not end within 60 s");
      }
      assertThat(p.exitValue())
          .as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .isZero();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      if (p != null && p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
