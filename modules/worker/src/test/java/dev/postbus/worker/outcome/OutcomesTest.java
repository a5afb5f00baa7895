package dev.postbus.worker.outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.job.Job;
import dev.postbus.smtp.OutcomeClass;
import dev.postbus.smtp.SmtpReply;
import dev.postbus.worker.config.InDoubtPolicy;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.PartitionOffsets;
import dev.postbus.worker.retry.RetryPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which records an attempt's ending becomes, and that the job is finished (its offset may be
 * committed) only once Kafka has every one of them, ledger entry last: Kafka's MockProducer answers
 * when the test says so.
 */
class OutcomesTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-02T10:00:00Z"), ZoneOffset.UTC);

  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final dev.postbus.worker.ledger.ManualProducer ledger =
      new dev.postbus.worker.ledger.ManualProducer();
  private final List<Delivery> finished = new CopyOnWriteArrayList<>();
  private final Outcomes outcomes =
      new Outcomes(
          new DurableSender(producer, retries),
          "jobs.dlt",
          "jobs.events",
          "w1",
          new RetryPolicy(
              List.of(Duration.ofSeconds(30), Duration.ofMinutes(5)), 5, Duration.ofDays(1), 0.0),
          InDoubtPolicy.RETRY,
          "jobs",
          OutcomeListener.NONE,
          finished::add,
          CLOCK);

  private final dev.postbus.worker.ledger.LedgerWriter writer =
      new dev.postbus.worker.ledger.LedgerWriter(
              ledger, new dev.postbus.worker.ledger.LedgerPositions(1), retries, retries)
          .start();

  OutcomesTest() {
    outcomes.useLedger("jobs.ledger", 1, dev.postbus.worker.config.LedgerFormat.BINARY, writer);
  }

  @AfterEach
  void stop() {
    writer.close();
    retries.shutdownNow();
  }

  private static Delivery delivery(long offset) {
    PartitionOffsets owner = new PartitionOffsets();
    owner.track(offset);
    return new Delivery(
        new TopicPartition("jobs", 0),
        offset,
        "order-42".getBytes(StandardCharsets.UTF_8),
        "{\"raw\":true}".getBytes(StandardCharsets.UTF_8),
        new RecordHeaders(),
        0L,
        owner);
  }

  private static Job job() {
    return Job.text("order-42", "shop@example.com", "bob@example.net", "Receipt", "Thanks");
  }

  /** The ledger's writer sends on its own thread: nothing for a while, not just now. */
  private void noLedgerEntry(String why) {
    await(why)
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(2))
        .until(() -> topics(ledger).isEmpty());
  }

  private static List<String> topics(MockProducer<byte[], byte[]> p) {
    return p.history().stream().map(ProducerRecord::topic).toList();
  }

  @Test
  void withLedgerFormatJsonTheEntryIsTheJsonOlderWorkersRead() {
    outcomes.useLedger("jobs.ledger", 1, dev.postbus.worker.config.LedgerFormat.JSON, writer);
    OutcomeBatch batch = outcomes.begin(delivery(7), job(), 1, null);
    batch.delivered(new SmtpReply(250, "2.0.0", "queued"), 1);
    batch.end();
    await().atMost(Duration.ofSeconds(5)).until(() -> !topics(ledger).isEmpty());

    String value = new String(ledger.history().get(0).value(), StandardCharsets.UTF_8);

    assertThat(value).startsWith("{\"topic\":\"jobs\"").contains("\"jobId\":\"order-42\"");
    ledger.completeNext();
  }

  @Test
  void aDeliverysLedgerEntryGoesOutBesideItsEventWithoutWaitingForItAndCarriesTheEvent() {
    Delivery d = delivery(7);
    OutcomeBatch batch = outcomes.begin(d, job(), 1, null);
    batch.delivered(new SmtpReply(250, "2.0.0", "queued"), 1);
    batch.end();
    assertThat(topics(producer)).containsExactly("jobs.events");
    await().atMost(Duration.ofSeconds(5)).until(() -> !topics(ledger).isEmpty());
    assertThat(topics(ledger))
        .as(
            "the ledger entry goes out at once, beside the delivered event (no second round trip),"
                + " although the event is not acknowledged yet")
        .containsExactly("jobs.ledger");
    var entry = dev.postbus.worker.ledger.LedgerEntry.decode(ledger.history().get(0).value());
    assertThat(entry).isPresent();
    assertThat(entry.get().event())
        .as("the entry carries the delivered event, for a new owner that skips the job")
        .isNotNull();
    assertThat(new String(entry.get().event(), StandardCharsets.UTF_8))
        .contains("\"type\":\"delivered\"", "\"jobId\":\"order-42\"", "\"attempt\":1");
    ledger.completeNext();
    await().atMost(Duration.ofSeconds(5)).until(() -> batchLedgerWritten(batch));
    assertThat(finished).as("the event is not acknowledged yet").isEmpty();
    producer.completeNext();
    await().atMost(Duration.ofSeconds(5)).until(() -> !finished.isEmpty());
    assertThat(finished).containsExactly(d);
  }

  @Test
  void theDeliveredEventNamesTheRelaysQueueIdWhenItsReplyGivesOne() {
    OutcomeBatch batch = outcomes.begin(delivery(8), job(), 1, null);
    batch.delivered(SmtpReply.parse(250, "250 2.0.0 Ok: queued as 4FZ2Qx3h9Kz9"), 1);
    batch.end();
    assertThat(new String(producer.history().get(0).value(), StandardCharsets.UTF_8))
        .contains("\"relayMessageId\":\"4FZ2Qx3h9Kz9\"");
    OutcomeBatch none = outcomes.begin(delivery(9), job(), 1, null);
    none.delivered(SmtpReply.parse(250, "250 Great success"), 1);
    none.end();
    assertThat(new String(producer.history().get(1).value(), StandardCharsets.UTF_8))
        .contains("\"type\":\"delivered\"")
        .doesNotContain("relayMessageId");
  }

  @Test
  void aRecordANewOwnerSkipsThroughTheLedgerHasItsDeliveredEventWrittenAgain() {
    OutcomeBatch batch = outcomes.begin(delivery(7), job(), 1, null);
    batch.delivered(new SmtpReply(250, "2.0.0", "queued"), 1);
    batch.end();
    byte[] firstEvent = producer.history().get(0).value();
    await().atMost(Duration.ofSeconds(5)).until(() -> !topics(ledger).isEmpty());
    var entry =
        dev.postbus.worker.ledger.LedgerEntry.decode(ledger.history().get(0).value()).orElseThrow();
    Delivery skipped = delivery(7); // the new owner's copy of the record
    outcomes.rewriteDelivered(skipped, entry);
    ProducerRecord<byte[], byte[]> again = producer.history().get(1);
    assertThat(again.topic()).isEqualTo("jobs.events");
    assertThat(new String(again.key(), StandardCharsets.UTF_8)).isEqualTo("order-42");
    assertThat(again.value())
        .as("the same event: same job id and attempt, so consumers can dedupe it")
        .isEqualTo(firstEvent);
    producer.completeNext(); // the first worker's event
    assertThat(finished).isEmpty();
    producer.completeNext();
    await().atMost(Duration.ofSeconds(5)).until(() -> finished.contains(skipped));
  }

  private static boolean batchLedgerWritten(OutcomeBatch batch) throws InterruptedException {
    return batch.awaitLedger(Duration.ZERO);
  }

  @Test
  void aPermanentFailureIsDeadLetteredWithItsRawBytesAndTheLedgerEntryWaitsForTheDeadLetter() {
    Delivery d = delivery(8);
    OutcomeBatch batch = outcomes.begin(d, job(), 1, null);
    batch.failed(
        new Failure(
            OutcomeClass.PERMANENT,
            "RCPT refused with 550 5.1.1",
            new SmtpReply(550, "5.1.1", "no such user"),
            "RCPT",
            false),
        null,
        null);
    batch.end();
    assertThat(topics(producer)).containsExactlyInAnyOrder("jobs.dlt", "jobs.events");
    ProducerRecord<byte[], byte[]> dead =
        producer.history().stream()
            .filter(r -> r.topic().equals("jobs.dlt"))
            .findFirst()
            .orElseThrow();
    assertThat(dead.value()).isEqualTo(d.value());
    assertThat(
            new String(
                dead.headers().lastHeader("postbus.dlt.reason").value(), StandardCharsets.UTF_8))
        .contains("550 5.1.1");
    noLedgerEntry("not before the dead letter is safe");
    producer.completeNext();
    producer.completeNext();
    await().atMost(Duration.ofSeconds(5)).until(() -> !topics(ledger).isEmpty());
    assertThat(topics(ledger)).containsExactly("jobs.ledger");
    assertThat(finished).isEmpty();
    ledger.completeNext();
    await().atMost(Duration.ofSeconds(5)).until(() -> !finished.isEmpty());
    assertThat(finished).containsExactly(d);
  }

  @Test
  void aTransientFailureGoesToTheFirstTierOfTheLadder() {
    Delivery d = delivery(9);
    OutcomeBatch batch = outcomes.begin(d, job(), 1, null);
    batch.failed(
        new Failure(
            OutcomeClass.TRANSIENT,
            "RCPT refused with 451 4.3.0",
            new SmtpReply(451, "4.3.0", "try later"),
            "RCPT",
            false),
        null,
        null);
    batch.end();
    assertThat(topics(producer)).containsExactlyInAnyOrder("jobs.retry.30s", "jobs.events");
  }

  @Test
  void aBulkJobsRetryAndDeadLetterKeepItsClassAndGoToTheSameLadderAndDeadLetterTopic() {
    Delivery bulk = bulkDelivery(10);
    OutcomeBatch retry = outcomes.begin(bulk, job(), 1, null);
    retry.failed(
        new Failure(
            OutcomeClass.TRANSIENT, "451", new SmtpReply(451, "4.3.0", "later"), "RCPT", false),
        null,
        null);
    retry.end();
    OutcomeBatch dead = outcomes.begin(bulkDelivery(11), job(), 1, null);
    dead.failed(
        new Failure(
            OutcomeClass.PERMANENT, "550", new SmtpReply(550, "5.1.1", "no"), "RCPT", false),
        null,
        null);
    dead.end();
    var written =
        producer.history().stream().filter(r -> !r.topic().equals("jobs.events")).toList();
    assertThat(written)
        .extracting(ProducerRecord::topic)
        .containsExactlyInAnyOrder("jobs.retry.30s", "jobs.dlt");
    assertThat(written).allSatisfy(r -> assertThat(header(r, "postbus.class")).isEqualTo("bulk"));
    assertThat(written)
        .allSatisfy(r -> assertThat(header(r, "postbus.original.topic")).isEqualTo("jobs.bulk"));
  }

  @Test
  void aTransactionalDeadLetterSaysItsClassToo() {
    OutcomeBatch dead = outcomes.begin(delivery(12), job(), 1, null);
    dead.failed(
        new Failure(
            OutcomeClass.PERMANENT, "550", new SmtpReply(550, "5.1.1", "no"), "RCPT", false),
        null,
        null);
    dead.end();
    var letter = producer.history().stream().filter(r -> r.topic().equals("jobs.dlt")).findFirst();
    assertThat(header(letter.orElseThrow(), "postbus.class")).isEqualTo("transactional");
  }

  private static Delivery bulkDelivery(long offset) {
    PartitionOffsets owner = new PartitionOffsets();
    owner.track(offset);
    return new Delivery(
        new TopicPartition("jobs.bulk", 0),
        offset,
        "news-1".getBytes(StandardCharsets.UTF_8),
        "{\"raw\":true}".getBytes(StandardCharsets.UTF_8),
        new RecordHeaders(),
        0L,
        owner,
        dev.postbus.job.JobClass.BULK);
  }

  private static Failure throttle() {
    return new Failure(
        OutcomeClass.TRANSIENT,
        "RCPT refused with 450 4.7.1",
        new SmtpReply(450, "4.7.1", "client host rejected"),
        "RCPT",
        false);
  }

  private static String header(ProducerRecord<byte[], byte[]> r, String key) {
    var h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void aFirstThrottleIsHeldWithoutCountingButStartsTheClockOfRetryMaxAge() {
    OutcomeBatch batch = outcomes.begin(delivery(10), job(), 1, null);
    batch.throttled(throttle(), null, null);
    batch.end();
    ProducerRecord<byte[], byte[]> held =
        producer.history().stream()
            .filter(r -> r.topic().equals("jobs.retry.30s"))
            .findFirst()
            .orElseThrow();
    assertThat(held.headers().toArray())
        .extracting(h -> h.key())
        .as("the hold carries its first failure, so retry.max-age bounds it")
        .contains(dev.postbus.job.PostbusHeaders.FIRST_FAILURE);
  }

  @Test
  void aThrottleThatLastsLongerThanRetryMaxAgeIsDeadLettered() {
    OutcomeBatch batch =
        outcomes.begin(delivery(11), job(), 2, CLOCK.instant().minus(Duration.ofDays(2)));
    batch.throttled(throttle(), null, null);
    batch.end();
    assertThat(topics(producer)).containsExactlyInAnyOrder("jobs.dlt", "jobs.events");
  }

  @Test
  void aRepeatedThrottleCountsAsAnAttemptUpToRetryMaxAttempts() {
    OutcomeBatch batch =
        outcomes.begin(delivery(12), job(), 5, CLOCK.instant().minus(Duration.ofMinutes(5)));
    batch.throttled(throttle(), null, null);
    batch.end();
    assertThat(topics(producer)).containsExactlyInAnyOrder("jobs.dlt", "jobs.events");
  }

  private static Failure inDoubt() {
    return new Failure(
        OutcomeClass.TRANSIENT, "connection lost after the final dot", null, "DATA", true);
  }

  private static Failure suppressed() {
    return new Failure(OutcomeClass.SUPPRESSED, "suppressed: bounced", null, null, false);
  }

  private static Named<Consumer<OutcomeBatch>> ending(String name, Consumer<OutcomeBatch> e) {
    return Named.of(name, e);
  }

  /** Every ending that writes a record carrying the job on (to the ladder or the dead letters). */
  static Stream<Named<Consumer<OutcomeBatch>>> carryOnEndings() {
    Instant later = CLOCK.instant().plus(Duration.ofMinutes(10));
    return Stream.of(
        ending("scheduled", b -> b.scheduled(later, null)),
        ending("first throttle", b -> b.throttled(throttle(), null, null)),
        ending(
            "throttle at RCPT beside a delivery",
            b -> {
              b.delivered(new SmtpReply(250, "2.0.0", "queued"), 1);
              b.throttled(throttle(), null, List.of("carol@example.net"));
            }),
        ending(
            "transient failure (retry)",
            b ->
                b.failed(
                    new Failure(
                        OutcomeClass.TRANSIENT,
                        "RCPT refused with 451 4.3.0",
                        new SmtpReply(451, "4.3.0", "try later"),
                        "RCPT",
                        false),
                    null,
                    null)),
        ending("in doubt (retried)", b -> b.failed(inDoubt(), null, null)),
        ending("suppressed (dead letter)", b -> b.failed(suppressed(), null, null)),
        ending(
            "delivered and suppressed",
            b -> {
              b.delivered(new SmtpReply(250, "2.0.0", "queued"), 1);
              b.failed(suppressed(), null, List.of("carol@example.net"));
            }));
  }

  /**
   * The ledger entry tells a new owner to skip the record: were it written while the record that
   * brings the job back is not yet safe, a crash between the two acknowledgements would lose the
   * job.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("carryOnEndings")
  void theLedgerEntryGoesOutOnlyOnceEveryRecordCarryingTheJobOnIsAcknowledged(
      Consumer<OutcomeBatch> ending) throws InterruptedException {
    Delivery d = delivery(13);
    OutcomeBatch batch = outcomes.begin(d, job(), 1, null);
    ending.accept(batch);
    batch.end();
    assertThat(topics(producer))
        .as("a record carries the job on")
        .anyMatch(t -> t.startsWith("jobs.retry.") || t.equals("jobs.dlt"));
    noLedgerEntry("no ledger entry while the record carrying the job on is not acknowledged");
    int records = producer.history().size();
    for (int i = 1; i < records; i++) {
      producer.completeNext(); // the carry-on record first: it was sent first
    }
    noLedgerEntry("not before the last record is acknowledged");
    assertThat(batch.awaitLedger(Duration.ZERO)).isFalse();
    producer.completeNext();
    await().atMost(Duration.ofSeconds(5)).until(() -> !topics(ledger).isEmpty());
    assertThat(topics(ledger)).containsExactly("jobs.ledger");
    assertThat(finished).as("not before the ledger entry is acknowledged").isEmpty();
    ledger.completeNext();
    await().atMost(Duration.ofSeconds(5)).until(() -> !finished.isEmpty());
    assertThat(finished).containsExactly(d);
    assertThat(batch.awaitLedger(Duration.ZERO)).isTrue();
  }

  static Stream<Named<Consumer<OutcomeBatch>>> tierEndings() {
    Instant later = CLOCK.instant().plus(Duration.ofMinutes(10));
    return Stream.of(
        ending("scheduled", b -> b.scheduled(later, null)),
        ending(
            "transient failure (retry)",
            b ->
                b.failed(
                    new Failure(
                        OutcomeClass.TRANSIENT,
                        "RCPT refused with 451 4.3.0",
                        new SmtpReply(451, "4.3.0", "try later"),
                        "RCPT",
                        false),
                    null,
                    null)),
        ending("first throttle", b -> b.throttled(throttle(), null, null)));
  }

  /**
   * A job larger than its tier topic takes (jobs topic raised for attachments, tiers left at the
   * broker's default) would be refused on every resend: never retried nor dead-lettered, its offset
   * the lowest unfinished one, its partition's commit frozen. It is dead-lettered instead.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("tierEndings")
  void aJobTooLargeForItsTierIsDeadLetteredAndFinishes(Consumer<OutcomeBatch> ending) {
    Delivery d = delivery(14);
    OutcomeBatch batch = outcomes.begin(d, job(), 1, null);
    ending.accept(batch);
    batch.end();
    String tier = producer.history().get(0).topic();
    assertThat(tier).startsWith("jobs.retry.");
    producer.errorNext(
        new org.apache.kafka.common.errors.RecordTooLargeException(
            "The request included a message larger than the max message size the server will"
                + " accept."));
    await("a dead letter in place of the tier record")
        .atMost(Duration.ofSeconds(5))
        .until(() -> topics(producer).contains("jobs.dlt"));
    ProducerRecord<byte[], byte[]> dead =
        producer.history().stream()
            .filter(r -> r.topic().equals("jobs.dlt"))
            .findFirst()
            .orElseThrow();
    assertThat(dead.value()).as("the job's bytes, for a replay").isEqualTo(d.value());
    assertThat(header(dead, "postbus.dlt.class")).isEqualTo("permanent");
    assertThat(header(dead, "postbus.dlt.reason")).contains(tier, "max.message.bytes");
    assertThat(dead.headers().lastHeader("postbus.dlt.code"))
        .as("not the relay's refusal")
        .isNull();
    await("the ledger entry once every record is acknowledged")
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              while (producer.completeNext()) {
                // every record of the attempt
              }
              return !topics(ledger).isEmpty();
            });
    var entry =
        dev.postbus.worker.ledger.LedgerEntry.decode(ledger.history().get(0).value()).orElseThrow();
    assertThat(entry.outcome()).isEqualTo(dev.postbus.worker.ledger.LedgerOutcome.DEAD_LETTERED);
    ledger.completeNext();
    await().atMost(Duration.ofSeconds(5)).until(() -> finished.contains(d));
    assertThat(topics(producer).stream().filter(t -> t.equals(tier)))
        .as("the tier record is not sent again")
        .hasSize(1);
    assertThat(
            producer.history().stream()
                .filter(r -> r.topic().equals("jobs.events"))
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)))
        .anyMatch(e -> e.contains("\"type\":\"dead-lettered\""));
  }

  /**
   * Kafka's producer refuses a record over its own max.request.size before sending it: the reason
   * names that client setting, not the tier topic's max.message.bytes (raising that would change
   * nothing on a replay).
   */
  @Test
  void aRetryRecordTheProducerRefusesAsTooLargeNamesTheProducersLimitNotTheTopics() {
    Delivery d = delivery(15);
    OutcomeBatch batch = outcomes.begin(d, job(), 1, null);
    batch.scheduled(CLOCK.instant().plusSeconds(60), null);
    batch.end();
    String tier = producer.history().get(0).topic();
    producer.errorNext(
        new org.apache.kafka.common.errors.RecordTooLargeException(
            "The message is 17891328 bytes when serialized which is larger than 1048576, which is"
                + " the value of the max.request.size configuration."));
    await("a dead letter in place of the tier record")
        .atMost(Duration.ofSeconds(5))
        .until(() -> topics(producer).contains("jobs.dlt"));
    ProducerRecord<byte[], byte[]> dead =
        producer.history().stream()
            .filter(r -> r.topic().equals("jobs.dlt"))
            .findFirst()
            .orElseThrow();
    assertThat(header(dead, "postbus.dlt.reason"))
        .doesNotContain("max.message.bytes")
        .contains("kafka.client.max.request.size", "job.max-bytes");
    assertThat(tier).startsWith("jobs.retry.");
  }
}
