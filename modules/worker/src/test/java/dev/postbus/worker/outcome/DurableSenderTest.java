package dev.postbus.worker.outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Kafka's MockProducer in place of a broker: which record goes out after which failure. */
class DurableSenderTest {

  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final DurableSender sender = new DurableSender(producer, retries, Duration.ZERO);

  @AfterEach
  void stop() {
    retries.shutdownNow();
  }

  private static ProducerRecord<byte[], byte[]> record(String value) {
    return new ProducerRecord<>("jobs.dlt", value.getBytes(StandardCharsets.UTF_8));
  }

  private String sent(int i) {
    return new String(producer.history().get(i).value(), StandardCharsets.UTF_8);
  }

  @Test
  void anErrorAfterWritingIsLoggedWithoutItsMessage() {
    List<String> logged;
    try (dev.postbus.testkit.LogLines logs =
        dev.postbus.testkit.LogLines.capture("dev.postbus.worker")) {
      sender.send(
          record("dead letter"),
          () -> "dead letter of jobs-0@7",
          () -> false,
          () -> { // what the acknowledgement leads to fails, quoting an address
            throw new IllegalStateException(
                new jakarta.mail.internet.AddressException(
                    "Illegal address", "someone@example.org"));
          });
      producer.completeNext();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> !logs.lines(ch.qos.logback.classic.Level.ERROR).isEmpty());
      logged = logs.lines();
    }
    assertThat(logged).noneSatisfy(l -> assertThat(l).contains("someone@example.org"));
    assertThat(logged)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("unexpected error after writing dead letter of jobs-0@7")
                    .contains("IllegalStateException", "AddressException"));
  }

  @Test
  void aRecordRefusedAsTooLargeAfterATransientFailureIsSentWithoutItsPayload() {
    AtomicBoolean acked = new AtomicBoolean();
    sender.send(
        record("with payload"),
        () -> "dead letter",
        () -> false,
        () -> acked.set(true),
        r -> record("without payload"));

    producer.errorNext(new TimeoutException("broker busy")); // transient: tried again
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 2);
    assertThat(sent(1)).isEqualTo("with payload");

    producer.errorNext(
        new RecordTooLargeException(
            "over max.message.bytes")); // now too large: never retried as is
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() >= 3);
    assertThat(sent(2)).isEqualTo("without payload");

    producer.completeNext();
    await().atMost(Duration.ofSeconds(5)).untilTrue(acked);
    assertThat(producer.history()).hasSize(3);
  }

  /**
   * After its partition is revoked the new owner redoes the job: the old one must not dead-letter
   * it in place of a too-large retry record, or the job is dead-lettered twice (replayed twice).
   */
  @Test
  void anAbandonedRecordRefusedAsTooLargeIsNotReplacedByItsFallback() {
    AtomicBoolean revoked = new AtomicBoolean();
    AtomicBoolean acked = new AtomicBoolean();
    sender.send(
        record("retry record"),
        () -> "retry record",
        revoked::get,
        () -> acked.set(true),
        r -> record("dead letter"));
    revoked.set(true);
    producer.errorNext(new RecordTooLargeException("tier topic"));
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(2))
        .until(() -> producer.history().size() == 1);
    assertThat(acked).isFalse();
  }

  @Test
  void aFallbackRefusedAsTooLargeTooIsFollowedByItsOwnFallback() {
    AtomicBoolean acked = new AtomicBoolean();
    sender.send(
        record("retry record"),
        () -> "retry record",
        () -> false,
        () -> acked.set(true),
        new DurableSender.Instead(
            "dead-lettering its job instead",
            r -> record("dead letter"),
            DurableSender.Instead.withoutPayload(r -> record("dead letter without payload"))));
    producer.errorNext(new RecordTooLargeException("tier topic"));
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 2);
    assertThat(sent(1)).isEqualTo("dead letter");
    producer.errorNext(new RecordTooLargeException("dead-letter topic"));
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 3);
    assertThat(sent(2)).isEqualTo("dead letter without payload");
    producer.completeNext();
    await().atMost(Duration.ofSeconds(5)).untilTrue(acked);
  }

  @Test
  void aTransientFailureIsTriedAgainUntilKafkaHasTheRecord() {
    AtomicBoolean acked = new AtomicBoolean();
    sender.send(record("event"), () -> "event", () -> false, () -> acked.set(true));
    producer.errorNext(new TimeoutException("broker busy"));
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 2);
    assertThat(acked).isFalse();
    producer.completeNext();
    await().atMost(Duration.ofSeconds(5)).untilTrue(acked);
  }

  @Test
  void aFailedSendWhoseWorkIsNoLongerOursIsDropped() throws Exception {
    AtomicBoolean acked = new AtomicBoolean();
    sender.send(record("event"), () -> "event", () -> true, () -> acked.set(true));
    producer.errorNext(new TimeoutException("broker busy"));
    retries.submit(() -> {}).get(); // anything scheduled has run
    assertThat(producer.history()).hasSize(1);
    assertThat(acked).isFalse();
  }

  @Test
  void whatAnAcknowledgementLeadsToRunsOnAThreadOfOursNotInTheProducersCallback() {
    List<Thread> sendingThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
    MockProducer<byte[], byte[]> watched =
        new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer()) {
          @Override
          public synchronized java.util.concurrent.Future<
                  org.apache.kafka.clients.producer.RecordMetadata>
              send(
                  ProducerRecord<byte[], byte[]> r,
                  org.apache.kafka.clients.producer.Callback callback) {
            sendingThreads.add(Thread.currentThread());
            return super.send(r, callback);
          }
        };
    DurableSender onWatched = new DurableSender(watched, retries, Duration.ZERO);
    List<Thread> ackThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
    onWatched.send(
        record("with payload"),
        () -> "dead letter",
        () -> false,
        () -> ackThreads.add(Thread.currentThread()),
        r -> record("without payload"));

    // The "callbacks" run on the thread that completes the send: here the test's, in the worker
    // Kafka's I/O thread, which must never block in a send of ours.
    watched.errorNext(new RecordTooLargeException("over max.message.bytes"));
    await().atMost(Duration.ofSeconds(5)).until(() -> sendingThreads.size() == 2);
    assertThat(sendingThreads.get(1)).isNotSameAs(Thread.currentThread());
    watched.completeNext();
    await().atMost(Duration.ofSeconds(5)).until(() -> ackThreads.size() == 1);
    assertThat(ackThreads.get(0)).isNotSameAs(Thread.currentThread());
  }

  @Test
  void aContinuationThatThrowsIsLoggedAndTheNextOneStillRuns() {
    ch.qos.logback.classic.Logger senderLog =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(DurableSender.class);
    var lines =
        new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
    lines.start();
    senderLog.addAppender(lines);
    try {
      AtomicBoolean second = new AtomicBoolean();
      sender.send(
          record("first"),
          () -> "event for jobs-0@1",
          () -> false,
          () -> {
            throw new IllegalStateException("a bug in a continuation");
          });
      sender.send(
          record("second"), () -> "event for jobs-0@2", () -> false, () -> second.set(true));
      producer.completeNext();
      producer.completeNext();
      await().atMost(Duration.ofSeconds(5)).until(second::get);
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(lines.list)
                      .as("the error is logged, naming the record, not swallowed")
                      .anyMatch(
                          e ->
                              e.getLevel() == ch.qos.logback.classic.Level.ERROR
                                  && e.getFormattedMessage().contains("event for jobs-0@1")));
    } finally {
      senderLog.detachAppender(lines);
    }
  }
}
