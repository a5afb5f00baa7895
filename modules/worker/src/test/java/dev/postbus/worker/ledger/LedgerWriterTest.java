package dev.postbus.worker.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The group-commit hand-off between the lanes and the one thread that writes the ledger. */
class LedgerWriterTest {

  /**
   * A producer answering each record only when the test says so, by key, like brokers that answer
   * each partition's requests on their own; its flush, like the real one, returns only once every
   * record sent before it was answered.
   */
  private static final class ByKey extends MockProducer<byte[], byte[]> {
    final Map<String, org.apache.kafka.clients.producer.Callback> unanswered =
        new ConcurrentHashMap<>();
    final List<String> sent = new CopyOnWriteArrayList<>();

    ByKey() {
      super(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public synchronized java.util.concurrent.Future<
            org.apache.kafka.clients.producer.RecordMetadata>
        send(
            ProducerRecord<byte[], byte[]> record,
            org.apache.kafka.clients.producer.Callback callback) {
      String key = new String(record.key(), StandardCharsets.UTF_8);
      sent.add(key);
      unanswered.put(key, callback);
      return new java.util.concurrent.CompletableFuture<>();
    }

    void answer(String key, int partition, long offset) {
      unanswered
          .remove(key)
          .onCompletion(
              new org.apache.kafka.clients.producer.RecordMetadata(
                  new org.apache.kafka.common.TopicPartition("jobs.ledger", partition),
                  offset,
                  0,
                  0,
                  0,
                  0),
              null);
    }

    @Override
    public void flush() {
      await().forever().until(unanswered::isEmpty);
    }
  }

  /** Each entry's ending, counted. */
  private static final class Ends implements LedgerWriter.Written {
    final AtomicInteger acknowledged = new AtomicInteger();
    final AtomicInteger written = new AtomicInteger();
    final AtomicInteger notWritten = new AtomicInteger();
    volatile long offset = -1;

    @Override
    public void acknowledged() {
      acknowledged.incrementAndGet();
    }

    @Override
    public void written(long ledgerOffset) {
      offset = ledgerOffset;
      written.incrementAndGet();
    }

    @Override
    public void notWritten(String why) {
      notWritten.incrementAndGet();
    }

    int ends() {
      return written.get() + notWritten.get();
    }
  }

  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
  private final LedgerPositions positions = new LedgerPositions(2);
  private final Map<String, Ends> ends = new ConcurrentHashMap<>();
  private LedgerWriter writer;

  @AfterEach
  void stop() {
    if (writer != null) {
      writer.close();
    }
    executor.shutdownNow();
  }

  private LedgerWriter writer(MockProducer<byte[], byte[]> producer, Duration groupWait) {
    writer =
        new LedgerWriter(
                producer,
                positions,
                executor,
                executor,
                groupWait,
                Duration.ofMillis(50),
                System::nanoTime)
            .start();
    return writer;
  }

  private Ends append(String id, AtomicBoolean abandoned) {
    return append(id, abandoned, 0);
  }

  private Ends append(String id, int partition) {
    return append(id, new AtomicBoolean(), partition);
  }

  private Ends append(String id, AtomicBoolean abandoned, int partition) {
    Ends e = new Ends();
    ends.put(id, e);
    writer.append(
        new ProducerRecord<>(
            "jobs.ledger", partition, id.getBytes(StandardCharsets.UTF_8), new byte[] {1}),
        () -> "entry " + id,
        abandoned::get,
        e);
    return e;
  }

  private Ends append(String id) {
    return append(id, new AtomicBoolean());
  }

  @Test
  void anEntryNeverAnsweredHoldsNoOtherEntry() {
    ByKey producer = new ByKey();
    writer(producer, Duration.ZERO);
    Ends slow = append("slow", 0); // its broker never answers
    Ends b = append("b", 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.sent.size() == 2);
    producer.answer("b", 1, 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> b.written.get() == 1);

    Ends c = append("c", 1);

    await("c is handed to the producer while slow's request is still out")
        .atMost(Duration.ofSeconds(5))
        .until(() -> producer.sent.contains("c"));
    producer.answer("c", 1, 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> c.written.get() == 1);
    assertThat(slow.ends()).isZero();
  }

  @Test
  void aLaneWaitsOnlyForItsOwnAcknowledgement() {
    ManualProducer producer = new ManualProducer();
    writer(producer, Duration.ZERO);
    Ends a = append("a");
    Ends b = append("b");
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 2);

    producer.completeNext();
    await().atMost(Duration.ofSeconds(5)).until(() -> a.written.get() == 1);

    assertThat(b.ends()).as("b's own acknowledgement has not come").isZero();
    assertThat(a.offset).isZero();
    assertThat(positions.next(0)).as("the ledger is known to reach past a").isEqualTo(1);
    producer.completeNext();
    await().atMost(Duration.ofSeconds(5)).until(() -> b.written.get() == 1);
    assertThat(b.offset).isEqualTo(1);
  }

  /**
   * The lane's wait ends on the producer's own thread, the moment Kafka acknowledges: not behind
   * whatever the acknowledgement thread is doing (another batch's bookkeeping, a slow listener),
   * which is a thread hop and a queue on every message's path.
   */
  @Test
  void theAcknowledgementReachesTheLaneWithoutWaitingForTheAcksThread() throws Exception {
    ByKey producer = new ByKey();
    writer(producer, Duration.ZERO);
    java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
    executor.execute(
        () -> {
          try {
            busy.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    Ends a = append("a", 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.sent.contains("a"));

    producer.answer("a", 0, 7);

    assertThat(a.acknowledged.get()).as("told on the producer's thread").isEqualTo(1);
    assertThat(a.written.get()).as("the rest still waits for the acks thread").isZero();
    busy.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> a.written.get() == 1);
    assertThat(a.acknowledged.get()).as("told once").isEqualTo(1);
    assertThat(a.offset).isEqualTo(7);
  }

  @Test
  void aFailedSendFailsOnlyItsEntriesWhichAreSentAgain() {
    ManualProducer producer = new ManualProducer();
    writer(producer, Duration.ZERO);
    Ends a = append("a");
    Ends b = append("b");
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 2);

    producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("broker gone"));
    producer.completeNext();
    await().atMost(Duration.ofSeconds(5)).until(() -> b.written.get() == 1);

    assertThat(a.ends()).as("a failed: it is sent again, not ended").isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 3);
    assertThat(new String(producer.history().get(2).key(), StandardCharsets.UTF_8)).isEqualTo("a");
    producer.completeNext();
    await().atMost(Duration.ofSeconds(5)).until(() -> a.written.get() == 1);
  }

  @Test
  void aFailedEntryWhoseWorkWasAbandonedEndsNotWritten() {
    ManualProducer producer = new ManualProducer();
    writer(producer, Duration.ZERO);
    Ends a = append("a", new AtomicBoolean(true));
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);

    producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("broker gone"));

    await().atMost(Duration.ofSeconds(5)).until(() -> a.notWritten.get() == 1);
    assertThat(a.written.get()).isZero();
  }

  @Test
  void closeEndsEachWaiterExactlyOnce() {
    ManualProducer producer = new ManualProducer();
    writer(producer, Duration.ZERO);
    Ends sent = append("sent");
    Ends done = append("done");
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 2);
    producer.completeNext();
    producer.completeNext();
    await().atMost(Duration.ofSeconds(5)).until(() -> done.written.get() == 1);
    Ends out = append("out");
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 3);

    writer.close();
    Ends late = append("late");
    writer.close(); // twice: harmless
    producer.completeNext(); // "out" acknowledged after the close

    await().atMost(Duration.ofSeconds(5)).until(() -> out.ends() == 1 && late.ends() == 1);
    assertThat(sent.written.get()).isEqualTo(1);
    assertThat(done.written.get()).isEqualTo(1);
    assertThat(late.notWritten.get()).isEqualTo(1);
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> ends.values().stream().allMatch(e -> e.ends() == 1));
  }

  @Test
  void withFastRelaysTheFlusherHoldsAnEntryForTheOnesAnnounced() {
    ManualProducer producer = new ManualProducer();
    writer(producer, Duration.ofSeconds(30));
    writer.expect();
    append("warm-up"); // appended at once after its announce: the relay answers fast
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);

    writer.expect();
    writer.expect();
    append("a");
    await("a is held while b, announced, has not come")
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> producer.history().size() == 1);
    append("b");

    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 3);
  }

  @Test
  void aFlusherThatDiesEndsEveryEntryThenAndLater() {
    MockProducer<byte[], byte[]> broken =
        new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer()) {
          @Override
          public synchronized java.util.concurrent.Future<
                  org.apache.kafka.clients.producer.RecordMetadata>
              send(
                  ProducerRecord<byte[], byte[]> record,
                  org.apache.kafka.clients.producer.Callback callback) {
            throw new LinkageError("a bug below the writer");
          }
        };
    writer(broken, Duration.ZERO);
    Ends a = append("a");
    await().atMost(Duration.ofSeconds(5)).until(() -> a.notWritten.get() == 1);

    Ends b = append("b");

    assertThat(b.notWritten.get())
        .as("no flusher is left to write it: it must not wait for one")
        .isEqualTo(1);
  }

  @Test
  void aFlusherThatDiesSaysSoOnceAndFailsEveryLaterEntryAtOnce() {
    AtomicBoolean thrown = new AtomicBoolean();
    MockProducer<byte[], byte[]> brokenOnce =
        new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer()) {
          @Override
          public synchronized java.util.concurrent.Future<
                  org.apache.kafka.clients.producer.RecordMetadata>
              send(
                  ProducerRecord<byte[], byte[]> record,
                  org.apache.kafka.clients.producer.Callback callback) {
            if (thrown.compareAndSet(false, true)) {
              throw new AssertionError("a bug below the writer");
            }
            return super.send(record, callback);
          }
        };
    List<String> stopped = new CopyOnWriteArrayList<>();
    writer =
        new LedgerWriter(
            brokenOnce,
            positions,
            executor,
            executor,
            Duration.ZERO,
            Duration.ofMillis(50),
            System::nanoTime);
    writer.whenStopped(stopped::add);
    writer.start();
    Ends a = append("a");
    await().atMost(Duration.ofSeconds(5)).until(() -> a.notWritten.get() == 1);

    Ends b = append("b");

    assertThat(b.notWritten.get()).as("b fails at once: no flusher is left").isEqualTo(1);
    assertThat(brokenOnce.history()).as("nothing is sent after the flusher died").isEmpty();
    assertThat(stopped).singleElement().asString().contains("AssertionError");
  }

  /** An error whose message quotes an address, as an AddressException's string names it. */
  private static IllegalStateException quotingAnAddress() {
    return new IllegalStateException(
        new jakarta.mail.internet.AddressException("Illegal address", "someone@example.org"));
  }

  @Test
  void anErrorAfterWritingIsLoggedWithoutItsMessage() {
    writer(
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()),
        Duration.ZERO);
    List<String> logged;
    try (dev.postbus.testkit.LogLines logs =
        dev.postbus.testkit.LogLines.capture("dev.postbus.worker")) {
      writer.append(
          new ProducerRecord<>("jobs.ledger", 0, "a".getBytes(StandardCharsets.UTF_8), new byte[1]),
          () -> "entry a",
          () -> false,
          new LedgerWriter.Written() {
            @Override
            public void written(long ledgerOffset) {
              throw quotingAnAddress();
            }

            @Override
            public void notWritten(String why) {}
          });
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
                    .contains("unexpected error after writing entry a")
                    .contains("IllegalStateException", "AddressException"));
  }

  @Test
  void aFlusherThatDiesSaysSoWithoutItsErrorsMessage() {
    MockProducer<byte[], byte[]> broken =
        new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer()) {
          @Override
          public synchronized java.util.concurrent.Future<
                  org.apache.kafka.clients.producer.RecordMetadata>
              send(
                  ProducerRecord<byte[], byte[]> record,
                  org.apache.kafka.clients.producer.Callback callback) {
            throw new AssertionError(quotingAnAddress());
          }
        };
    List<String> stopped = new CopyOnWriteArrayList<>();
    List<String> logged;
    try (dev.postbus.testkit.LogLines logs =
        dev.postbus.testkit.LogLines.capture("dev.postbus.worker")) {
      writer =
          new LedgerWriter(
              broken,
              positions,
              executor,
              executor,
              Duration.ZERO,
              Duration.ofMillis(50),
              System::nanoTime);
      writer.whenStopped(stopped::add);
      writer.start();
      Ends a = append("a");
      await().atMost(Duration.ofSeconds(5)).until(() -> a.notWritten.get() == 1);
      logged = logs.lines();
    }
    assertThat(logged).noneSatisfy(l -> assertThat(l).contains("someone@example.org"));
    assertThat(logged)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("send ledger writer stopped unexpectedly")
                    .contains("AssertionError", "AddressException"));
    assertThat(stopped)
        .singleElement()
        .asString()
        .contains("AssertionError")
        .doesNotContain("someone@example.org");
  }

  /** A producer whose every send fails with {@code error}, answered at once. */
  private static MockProducer<byte[], byte[]> failing(RuntimeException error) {
    return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
      @Override
      public synchronized java.util.concurrent.Future<
              org.apache.kafka.clients.producer.RecordMetadata>
          send(
              ProducerRecord<byte[], byte[]> record,
              org.apache.kafka.clients.producer.Callback callback) {
        callback.onCompletion(null, error);
        return java.util.concurrent.CompletableFuture.failedFuture(error);
      }
    };
  }

  @Test
  void aProducerBrokenForGoodLosesTheLedgerInsteadOfRetryingForever() {
    List<String> stopped = new CopyOnWriteArrayList<>();
    writer =
        new LedgerWriter(
            failing(new org.apache.kafka.common.errors.TopicAuthorizationException("jobs.ledger")),
            positions,
            executor,
            executor,
            Duration.ZERO,
            Duration.ofMillis(50),
            System::nanoTime);
    writer.whenStopped(stopped::add);
    writer.start();

    Ends a = append("a");

    await().atMost(Duration.ofSeconds(5)).until(() -> !stopped.isEmpty());
    assertThat(stopped).singleElement().asString().contains("TopicAuthorizationException");
    await().atMost(Duration.ofSeconds(5)).until(() -> a.notWritten.get() == 1);
    assertThat(append("b").notWritten.get()).as("later entries fail at once").isEqualTo(1);
  }

  @Test
  void aTopicMissingLongerThanTheLimitLosesTheLedger() {
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1);
    List<String> stopped = new CopyOnWriteArrayList<>();
    writer =
        new LedgerWriter(
            failing(new org.apache.kafka.common.errors.UnknownTopicOrPartitionException("deleted")),
            positions,
            executor,
            executor,
            Duration.ZERO,
            Duration.ofMillis(50),
            now::get);
    writer.whenStopped(stopped::add);
    writer.start();
    Ends a = append("a");
    await().atMost(Duration.ofSeconds(5)).until(() -> writer.failedSends() >= 2);
    assertThat(stopped)
        .as("missing for a moment: a topic being made, or a broker moving")
        .isEmpty();

    now.addAndGet(LedgerWriter.MISSING_TOPIC_LIMIT.toNanos());

    await().atMost(Duration.ofSeconds(5)).until(() -> !stopped.isEmpty());
    assertThat(stopped).singleElement().asString().contains("missing");
    await().atMost(Duration.ofSeconds(5)).until(() -> a.notWritten.get() == 1);
  }

  @Test
  void aBrokerUnreachableForLongerThanTheLimitHoldsTheLedgerButNeverLosesIt() {
    // An unreachable cluster and a missing topic both end a send in this same timeout: it cannot
    // tell them apart, so it must not restart a worker that merely waits out a Kafka outage.
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1);
    List<String> stopped = new CopyOnWriteArrayList<>();
    writer =
        new LedgerWriter(
            failing(
                new org.apache.kafka.common.errors.TimeoutException(
                    "Topic jobs.ledger not present in metadata after 60000 ms.")),
            positions,
            executor,
            executor,
            Duration.ZERO,
            Duration.ofMillis(50),
            now::get);
    writer.whenStopped(stopped::add);
    writer.start();
    append("a");
    await().atMost(Duration.ofSeconds(5)).until(() -> writer.failedSends() >= 2);
    now.addAndGet(LedgerWriter.MISSING_TOPIC_LIMIT.toNanos() * 3);
    long failed = writer.failedSends();
    await().atMost(Duration.ofSeconds(5)).until(() -> writer.failedSends() >= failed + 2);
    assertThat(stopped).as("a Kafka outage is waited out, never taken for a lost ledger").isEmpty();
  }

  @Test
  void aTopicTheBrokerAnsweredForBetweenTwoUnknownTopicsIsNotMissingForTheLimit() {
    // "Unknown topic" at the start and the end, with answers between that show the broker knows
    // the partition: the topic was not missing all along, and the wait goes on.
    List<String> stopped =
        unknownTopicAroundTheLimit(
            new org.apache.kafka.common.errors.NotLeaderOrFollowerException("moving"));
    assertThat(stopped).as("missing only at the start and the end: waited out, not lost").isEmpty();
  }

  @Test
  void aDeletedTopicAnsweredWithUnknownTopicsAndMetadataTimeoutsIsMissingForTheLimit() {
    // A deleted topic: "unknown topic" from the batches in flight, then "not present in metadata"
    // timeouts once the producer forgot it, mixed: a timeout is no evidence the topic is back, so
    // the count goes on and the ledger is lost (the worker exits 4).
    List<String> stopped =
        unknownTopicAroundTheLimit(
            new org.apache.kafka.common.errors.TimeoutException(
                "Topic jobs.ledger not present in metadata after 60000 ms."));
    await().atMost(Duration.ofSeconds(5)).until(() -> !stopped.isEmpty());
    assertThat(stopped)
        .singleElement()
        .asString()
        .contains("missing for " + LedgerWriter.MISSING_TOPIC_LIMIT);
  }

  /**
   * The ledger's sends fail with "unknown topic", then with {@code between}, then, once the
   * missing-topic limit has passed on the writer's clock, with "unknown topic" again; returns what
   * the writer's stop listener was told (a few sends after the last change, or its stop).
   */
  private List<String> unknownTopicAroundTheLimit(RuntimeException between) {
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1);
    java.util.concurrent.atomic.AtomicReference<RuntimeException> error =
        new java.util.concurrent.atomic.AtomicReference<>(
            new org.apache.kafka.common.errors.UnknownTopicOrPartitionException("restarting"));
    List<String> stopped = new CopyOnWriteArrayList<>();
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
          @Override
          public synchronized java.util.concurrent.Future<
                  org.apache.kafka.clients.producer.RecordMetadata>
              send(
                  ProducerRecord<byte[], byte[]> record,
                  org.apache.kafka.clients.producer.Callback callback) {
            RuntimeException e = error.get();
            callback.onCompletion(null, e);
            return java.util.concurrent.CompletableFuture.failedFuture(e);
          }
        };
    writer =
        new LedgerWriter(
            producer,
            positions,
            executor,
            executor,
            Duration.ZERO,
            Duration.ofMillis(50),
            now::get);
    writer.whenStopped(stopped::add);
    writer.start();
    append("a");
    await().atMost(Duration.ofSeconds(5)).until(() -> writer.failedSends() >= 2);

    error.set(between);
    long timedOut = writer.failedSends();
    await().atMost(Duration.ofSeconds(5)).until(() -> writer.failedSends() >= timedOut + 2);
    now.addAndGet(LedgerWriter.MISSING_TOPIC_LIMIT.plusSeconds(1).toNanos());

    error.set(new org.apache.kafka.common.errors.UnknownTopicOrPartitionException("restarting"));
    long unknownAgain = writer.failedSends();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> writer.failedSends() >= unknownAgain + 2 || !stopped.isEmpty());
    return stopped;
  }

  @Test
  void aTransientFailureIsRetriedAndCounted() {
    List<String> stopped = new CopyOnWriteArrayList<>();
    writer =
        new LedgerWriter(
            failing(new org.apache.kafka.common.errors.NotLeaderOrFollowerException("moving")),
            positions,
            executor,
            executor,
            Duration.ZERO,
            Duration.ofMillis(50),
            System::nanoTime);
    writer.whenStopped(stopped::add);
    writer.start();

    Ends a = append("a");

    await().atMost(Duration.ofSeconds(5)).until(() -> writer.failedSends() >= 3);
    assertThat(stopped).isEmpty();
    assertThat(a.ends()).as("still tried again").isZero();
  }

  @Test
  void withoutAnnouncedEntriesAnEntryGoesAtOnce() {
    ManualProducer producer = new ManualProducer();
    writer(producer, Duration.ofSeconds(30));

    append("a");

    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);
  }
}
