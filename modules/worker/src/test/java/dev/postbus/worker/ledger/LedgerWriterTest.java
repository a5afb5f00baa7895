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
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The group-commit hand-off between the lanes and the one thread that writes the ledger. */
class LedgerWriterTest {

  /** A producer whose flush (a request on its way) lasts until the test lets it end. */
  private static final class HeldFlushes extends MockProducer<byte[], byte[]> {
    final Semaphore flushEnds = new Semaphore(0);
    final List<Integer> sentAtFlush = new CopyOnWriteArrayList<>();

    HeldFlushes() {
      super(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public void flush() {
      sentAtFlush.add(history().size());
      flushEnds.acquireUninterruptibly();
    }
  }

  /** Each entry's ending, counted. */
  private static final class Ends implements LedgerWriter.Written {
    final AtomicInteger written = new AtomicInteger();
    final AtomicInteger notWritten = new AtomicInteger();
    volatile long offset = -1;

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
    Ends e = new Ends();
    ends.put(id, e);
    writer.append(
        new ProducerRecord<>("jobs.ledger", 0, id.getBytes(StandardCharsets.UTF_8), new byte[] {1}),
        () -> "entry " + id,
        abandoned::get,
        e);
    return e;
  }

  private Ends append(String id) {
    return append(id, new AtomicBoolean());
  }

  @Test
  void entriesQueuedWhileARequestIsOutGoTogetherInTheNextOne() {
    HeldFlushes producer = new HeldFlushes();
    writer(producer, Duration.ZERO);
    append("a");
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.sentAtFlush.size() == 1);
    append("b");
    append("c");
    append("d");

    producer.flushEnds.release();
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.sentAtFlush.size() == 2);

    assertThat(producer.sentAtFlush)
        .as("records handed to the producer by each flush: a alone, then b, c and d together")
        .containsExactly(1, 4);
    producer.flushEnds.release(10);
  }

  @Test
  void aLaneWaitsOnlyForItsOwnAcknowledgement() {
    ManualFlushProducer producer = new ManualFlushProducer();
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

  @Test
  void aFailedSendFailsOnlyItsEntriesWhichAreSentAgain() {
    ManualFlushProducer producer = new ManualFlushProducer();
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
    ManualFlushProducer producer = new ManualFlushProducer();
    writer(producer, Duration.ZERO);
    Ends a = append("a", new AtomicBoolean(true));
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);

    producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("broker gone"));

    await().atMost(Duration.ofSeconds(5)).until(() -> a.notWritten.get() == 1);
    assertThat(a.written.get()).isZero();
  }

  @Test
  void closeEndsEachWaiterExactlyOnce() {
    ManualFlushProducer producer = new ManualFlushProducer();
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
    HeldFlushes producer = new HeldFlushes();
    producer.flushEnds.release(100);
    writer(producer, Duration.ofSeconds(30));
    writer.expect();
    append("warm-up"); // appended at once after its announce: the relay answers fast
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.sentAtFlush.size() == 1);

    writer.expect();
    writer.expect();
    append("a");
    await("a is held while b, announced, has not come")
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> producer.sentAtFlush.size() == 1);
    append("b");

    await().atMost(Duration.ofSeconds(5)).until(() -> producer.sentAtFlush.size() == 2);
    assertThat(producer.sentAtFlush).containsExactly(1, 3);
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
  void withoutAnnouncedEntriesAnEntryGoesAtOnce() {
    HeldFlushes producer = new HeldFlushes();
    producer.flushEnds.release(100);
    writer(producer, Duration.ofSeconds(30));

    append("a");

    await().atMost(Duration.ofSeconds(5)).until(() -> producer.sentAtFlush.size() == 1);
  }
}
