package dev.postbus.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.postbus.worker.config.InDoubtPolicy;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.Holds;
import dev.postbus.worker.dispatch.PartitionOffsets;
import dev.postbus.worker.outcome.DurableSender;
import dev.postbus.worker.outcome.OutcomeBatch;
import dev.postbus.worker.outcome.OutcomeListener;
import dev.postbus.worker.outcome.Outcomes;
import dev.postbus.worker.retry.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The lane's wait for its previous ledger entry before the next final dot. */
class LedgerGateTest {

  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
  private final dev.postbus.worker.ledger.ManualProducer ledger =
      new dev.postbus.worker.ledger.ManualProducer();
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());

  private dev.postbus.worker.ledger.LedgerWriter writer;

  @AfterEach
  void stop() {
    if (writer != null) {
      writer.close();
    }
    executor.shutdownNow();
  }

  private Outcomes outcomes() {
    return new Outcomes(
        new DurableSender(producer, executor),
        "jobs.dlt",
        null,
        "w1",
        new RetryPolicy(List.of(Duration.ofSeconds(30)), 5, Duration.ofDays(1), 0.0),
        InDoubtPolicy.RETRY,
        "jobs",
        OutcomeListener.NONE,
        d -> {},
        Clock.systemUTC());
  }

  private static Delivery delivery() {
    PartitionOffsets owner = new PartitionOffsets();
    owner.track(0);
    return new Delivery(
        new TopicPartition("jobs", 0), 0, null, new byte[0], new RecordHeaders(), 0L, owner);
  }

  @Test
  void itWithholdsTheDotOnceTheLedgersWriterIsLost() {
    Outcomes outcomes = outcomes();
    MockProducer<byte[], byte[]> broken =
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
          @Override
          public synchronized java.util.concurrent.Future<
                  org.apache.kafka.clients.producer.RecordMetadata>
              send(
                  org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]> record,
                  org.apache.kafka.clients.producer.Callback callback) {
            throw new AssertionError("a bug in the writer's path");
          }
        };
    Holds holds = new Holds();
    dev.postbus.worker.ledger.LedgerWriter writer =
        new dev.postbus.worker.ledger.LedgerWriter(
            broken, new dev.postbus.worker.ledger.LedgerPositions(1), executor, executor);
    writer.whenStopped(why -> holds.set(Holds.Reason.LEDGER_LOST, true));
    outcomes.useLedger(
        "jobs.ledger", 1, dev.postbus.worker.config.LedgerFormat.BINARY, writer.start());
    LedgerGate gate =
        new LedgerGate("lane-0", holds, () -> false, Duration.ofSeconds(1), () -> {}, n -> {});
    OutcomeBatch batch = outcomes.begin(delivery(), null, 1, null);
    batch.end();
    gate.after(batch);

    assertThatThrownBy(gate::run)
        .as("the previous message is not in the ledger and never will be: no second one")
        .isInstanceOf(LedgerGate.DotWithheld.class);
  }

  @Test
  void itDoesNotGoOnWhileKafkaHasBeenSilentLongerThanTheWaitEvenBeforeKafkaLostIsDeclared() {
    Outcomes outcomes =
        new Outcomes(
            new DurableSender(producer, executor),
            "jobs.dlt",
            null,
            "w1",
            new RetryPolicy(List.of(Duration.ofSeconds(30)), 5, Duration.ofDays(1), 0.0),
            InDoubtPolicy.RETRY,
            "jobs",
            OutcomeListener.NONE,
            d -> {},
            Clock.systemUTC());
    outcomes.useLedger(
        "jobs.ledger",
        1,
        dev.postbus.worker.config.LedgerFormat.BINARY,
        new dev.postbus.worker.ledger.LedgerWriter(
                ledger, new dev.postbus.worker.ledger.LedgerPositions(1), executor, executor)
            .start());
    PartitionOffsets owner = new PartitionOffsets();
    owner.track(0);
    Delivery d =
        new Delivery(
            new TopicPartition("jobs", 0), 0, null, new byte[0], new RecordHeaders(), 0L, owner);
    Holds holds = new Holds();
    // A wait of 1 s (10 s in a worker): Kafka quiet for 2 s, not yet declared lost.
    holds.watchKafkaSilence(() -> Duration.ofSeconds(2));
    LedgerGate gate =
        new LedgerGate("lane-0", holds, () -> false, Duration.ofSeconds(1), () -> {}, n -> {});
    OutcomeBatch batch = outcomes.begin(d, null, 1, null);
    batch.end();
    gate.after(batch);
    Thread t = new Thread(gate, "gate");
    t.setDaemon(true);
    t.start();

    await()
        .alias("no second unrecorded message while Kafka has not answered for longer than the wait")
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .until(t::isAlive);
    holds.watchKafkaSilence(() -> Duration.ZERO);
    ledger.completeNext();
    await().atMost(Duration.ofSeconds(5)).until(() -> !t.isAlive());
    assertThat(ledger.history()).hasSize(1);
  }

  @Test
  void itTellsHowLongEachFinalDotWaitedForTheLedgerAndNothingWithTheLedgerOff() throws Exception {
    Outcomes outcomes = outcomes();
    writer =
        new dev.postbus.worker.ledger.LedgerWriter(
            ledger, new dev.postbus.worker.ledger.LedgerPositions(1), executor, executor);
    outcomes.useLedger(
        "jobs.ledger", 1, dev.postbus.worker.config.LedgerFormat.BINARY, writer.start());
    java.util.List<Long> waits = new java.util.concurrent.CopyOnWriteArrayList<>();
    LedgerGate gate =
        new LedgerGate(
            "lane-0", new Holds(), () -> false, Duration.ofSeconds(60), () -> {}, waits::add);
    gate.run();
    assertThat(waits).as("no previous attempt: nothing waited").isEmpty();

    OutcomeBatch batch = outcomes.begin(delivery(), null, 1, null);
    batch.end();
    gate.after(batch);
    Thread t = new Thread(gate, "gate");
    t.setDaemon(true);
    t.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> ledger.history().size() == 1);
    assertThat(waits).as("told when the wait ends, not before").isEmpty();
    ledger.completeNext();
    await().atMost(Duration.ofSeconds(5)).until(() -> !t.isAlive());
    assertThat(waits).singleElement().satisfies(n -> assertThat(n).isPositive());

    gate.run();
    assertThat(waits).as("the entry's wait is told once").hasSize(1);

    Outcomes off = outcomes(); // no ledger
    OutcomeBatch unrecorded = off.begin(delivery(), null, 1, null);
    unrecorded.end();
    gate.after(unrecorded);
    gate.run();
    assertThat(waits).as("the ledger off: no wait told").hasSize(1);
  }
}
