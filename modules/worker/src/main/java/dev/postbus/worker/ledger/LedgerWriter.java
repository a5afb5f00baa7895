package dev.postbus.worker.ledger;

import dev.postbus.smtp.TraceOnly;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of the send ledger: the entries of every lane of a worker go out together. Lanes
 * {@link #append} their entry and wait only for their own; one thread, the flusher, takes every
 * entry queued at that instant and hands them to the producer, which has one request in flight per
 * broker: what accumulates while a request is out goes in the next one. The flusher never waits for
 * an answer (no flush), so a broker slow to answer holds only the entries of its own partitions;
 * every entry ends from its own send's callback.
 *
 * <p>A lane says when its entry is coming ({@link #expect}, just before the end of its message):
 * the flusher, holding an entry, waits up to the group wait for the entries so announced, when
 * relays answer faster than that (the fast relays, where the ledger's round trip is most of a
 * message's time); with slow relays it sends at once.
 *
 * <p>Each entry's {@link Written} ends exactly once: written (with its offset in the ledger), or
 * not written (its work abandoned, or the writer closed). A failed send fails only the entries in
 * it; each is sent again after a pause unless its work was abandoned.
 */
public final class LedgerWriter implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LedgerWriter.class);

  /** The longest a flusher holds an entry for the ones announced after it. */
  public static final Duration GROUP_WAIT = Duration.ofMillis(1);

  private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

  /**
   * How long the ledger topic may be unknown to the brokers (deleted) with no entry written before
   * the writer counts as lost, as for an error that never heals.
   */
  static final Duration MISSING_TOPIC_LIMIT = Duration.ofMinutes(5);

  /**
   * How one entry ended; exactly one of {@link #written} and {@link #notWritten} is called, once.
   */
  public interface Written {
    /**
     * Kafka acknowledged the entry: called at most once, on the producer's I/O thread, so it must
     * only signal (count down a latch), never block or do I/O. A lane's wait for its entry ends
     * here, without the hop to the acknowledgements' thread that {@link #written} takes. It comes
     * before {@link #written}; it can follow {@link #notWritten} only when the writer closed while
     * the acknowledgement was on its way, and the entry is in the ledger all the same.
     */
    default void acknowledged() {}

    void written(long ledgerOffset);

    void notWritten(String why);
  }

  private record Pending(
      ProducerRecord<byte[], byte[]> record,
      java.util.function.Supplier<String> what,
      BooleanSupplier abandon,
      Written written,
      java.util.concurrent.atomic.AtomicBoolean ended) {

    void end(Runnable how) {
      if (ended.compareAndSet(false, true)) {
        how.run();
      }
    }
  }

  private final Producer<byte[], byte[]> producer;
  private final LedgerPositions positions;
  private final Executor acks;
  private final ScheduledExecutorService retries;
  private final Duration groupWait;
  private final Duration retryPause;
  private final LongSupplier nanoTime;
  private final Thread flusher;

  private final Object lock = new Object();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final ArrayDeque<Long> announced = new ArrayDeque<>();
  private final java.util.Set<Pending> inFlight =
      java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
  private long replyNanos = Long.MAX_VALUE; // the lanes' typical time from announce to append
  private boolean closed;
  private volatile java.util.function.Consumer<String> stopped = why -> {};
  private volatile Runnable retried = () -> {};
  private final java.util.concurrent.atomic.AtomicLong failedSends =
      new java.util.concurrent.atomic.AtomicLong();
  private Long missingSince; // guarded by lock: when the topic was first missing, null when not

  public LedgerWriter(
      Producer<byte[], byte[]> producer,
      LedgerPositions positions,
      Executor acks,
      ScheduledExecutorService retries) {
    this(producer, positions, acks, retries, GROUP_WAIT, RETRY_PAUSE, System::nanoTime);
  }

  LedgerWriter(
      Producer<byte[], byte[]> producer,
      LedgerPositions positions,
      Executor acks,
      ScheduledExecutorService retries,
      Duration groupWait,
      Duration retryPause,
      LongSupplier nanoTime) {
    this.producer = producer;
    this.positions = positions;
    this.acks = acks;
    this.retries = retries;
    this.groupWait = groupWait;
    this.retryPause = retryPause;
    this.nanoTime = nanoTime;
    this.flusher = new Thread(this::flushLoop, "postbus-ledger-flusher");
    flusher.setDaemon(true);
  }

  /** Told once, with why, when the flusher stops on an unexpected error; set before start. */
  public void whenStopped(java.util.function.Consumer<String> listener) {
    this.stopped = listener;
  }

  /** Sends that failed and were tried again (a broker moving, Kafka unreachable for a while). */
  public long failedSends() {
    return failedSends.get();
  }

  /** Told of each failed send that is tried again (a metric); set before start. */
  public void whenRetried(Runnable listener) {
    this.retried = listener;
  }

  /** Starts the flusher; returns this writer. */
  public LedgerWriter start() {
    flusher.start();
    return this;
  }

  /** A lane is about to end a message: its entry is coming. */
  public void expect() {
    synchronized (lock) {
      announced.add(nanoTime.getAsLong());
    }
  }

  /**
   * Queues an entry for the next request; {@code written} ends once.
   *
   * @param abandon true when the entry's work is no longer ours (a failed send is then not tried
   *     again)
   */
  public void append(
      ProducerRecord<byte[], byte[]> record,
      java.util.function.Supplier<String> what,
      BooleanSupplier abandon,
      Written written) {
    Pending p =
        new Pending(
            record, what, abandon, written, new java.util.concurrent.atomic.AtomicBoolean());
    synchronized (lock) {
      if (closed) {
        p.end(() -> written.notWritten("the send ledger's writer is closed"));
        return;
      }
      Long at = announced.pollFirst();
      if (at != null) {
        long took = nanoTime.getAsLong() - at;
        replyNanos = replyNanos == Long.MAX_VALUE ? took : (replyNanos * 7 + took) / 8;
      }
      queue.add(p);
      lock.notifyAll();
    }
  }

  private void flushLoop() {
    try {
      List<Pending> batch;
      while ((batch = next()) != null) {
        send(batch);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      log.error(
          "send ledger writer stopped unexpectedly; entries are no longer written (their jobs stay"
              + " uncommitted). Delivery is held and the worker neither ready nor live: restart it",
          TraceOnly.of(e)); // its message can quote an entry or an address
      lose("the send ledger's writer stopped: " + e.getClass().getName());
    }
  }

  /**
   * The ledger can no longer be written: later entries end at once instead of waiting for a flusher
   * that is gone. Told (the hold raised) before any entry ends, so no lane sends a final dot past
   * an entry ended unwritten. Nothing when already closed.
   */
  private void lose(String why) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      lock.notifyAll();
    }
    stopped.accept(why);
    endAll(why);
  }

  /** Every entry queued, after the group wait; null once closed. */
  private List<Pending> next() throws InterruptedException {
    synchronized (lock) {
      while (queue.isEmpty() && !closed) {
        lock.wait();
      }
      long deadline = nanoTime.getAsLong() + groupWait.toNanos();
      while (!closed && awaitingPeers()) {
        long left = deadline - nanoTime.getAsLong();
        if (left <= 0) {
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      if (closed) {
        return null;
      }
      List<Pending> batch = new ArrayList<>(queue);
      queue.clear();
      inFlight.addAll(batch);
      return batch;
    }
  }

  /**
   * True while an entry announced less than a group wait ago has not come, when lanes usually
   * append within the group wait. Announcements older than that are dropped (an attempt whose entry
   * waits for other records, or a lane that stopped).
   */
  private boolean awaitingPeers() {
    long now = nanoTime.getAsLong();
    while (!announced.isEmpty() && now - announced.peekFirst() > groupWait.toNanos()) {
      announced.pollFirst();
    }
    return !announced.isEmpty() && replyNanos <= groupWait.toNanos();
  }

  private void send(List<Pending> batch) {
    for (Pending p : batch) {
      try {
        producer.send(p.record(), (metadata, error) -> answered(p, metadata, error));
      } catch (RuntimeException e) {
        answered(p, null, e);
      }
    }
  }

  /**
   * On the producer's I/O thread: the lane is told of an acknowledgement here ({@link
   * Written#acknowledged}); what else the answer leads to runs on ours.
   */
  private void answered(Pending p, RecordMetadata metadata, Exception error) {
    synchronized (lock) {
      inFlight.remove(p);
    }
    if (error == null) {
      synchronized (lock) {
        missingSince = null;
      }
      positions.acked(metadata.partition(), metadata.offset()); // p mod the count at start-up
      if (!p.ended().get()) {
        p.written().acknowledged(); // the lane's wait ends now, not behind the acks thread
      }
      run(p, () -> p.end(() -> p.written().written(metadata.offset())));
    } else {
      run(p, () -> failed(p, error));
    }
  }

  private void failed(Pending p, Exception error) {
    if (p.abandon().getAsBoolean()) {
      p.end(() -> p.written().notWritten("its partition is gone (" + error.getMessage() + ")"));
      return;
    }
    String fatal = fatal(error);
    if (fatal != null) {
      String why = "the send ledger cannot be written: " + fatal;
      log.error("{}; delivery is held and the worker not live: fix it, then restart", why);
      lose(why);
      p.end(() -> p.written().notWritten(why));
      return;
    }
    failedSends.incrementAndGet();
    retried.run();
    log.warn(
        "{} not written, trying again in {}: {}", p.what().get(), retryPause, error.getMessage());
    try {
      retries.schedule(() -> requeue(p), retryPause.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      p.end(() -> p.written().notWritten("abandoned at shutdown"));
    }
  }

  /**
   * Why {@code error} never heals (no permission, a fenced or broken idempotent producer, the topic
   * reported unknown by the broker, with no other error between, for longer than {@link
   * #MISSING_TOPIC_LIMIT}); null when worth trying again. An {@code OutOfOrderSequenceException}
   * reaches us only after the producer itself bumped its epoch and retried for {@code
   * delivery.timeout.ms}: it did not heal there, and a new producer id (a restart) is what clears
   * it.
   */
  private String fatal(Exception error) {
    if (error instanceof org.apache.kafka.common.errors.AuthorizationException
        || error instanceof org.apache.kafka.common.errors.ProducerFencedException
        || error instanceof org.apache.kafka.common.errors.OutOfOrderSequenceException
        || error instanceof org.apache.kafka.common.errors.InvalidTopicException
        || error instanceof org.apache.kafka.common.errors.UnsupportedVersionException) {
      return error.toString();
    }
    // Only the broker saying the topic is unknown counts: a metadata timeout ("not present in
    // metadata") is also what an unreachable cluster gives, and a Kafka outage is waited out (the
    // worker holds delivery while Kafka is lost), never taken for a lost ledger. A timeout is no
    // evidence either way, so it neither counts nor ends the count (a deleted topic answers with
    // both, mixed); an answer that shows the broker knows the partition (any other error) ends it.
    // So an outage of more than the limit that begins and ends with "unknown topic" is taken for a
    // lost ledger: the worker exits 4, and its restart reads the ledger again.
    boolean missing =
        error instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
    if (error instanceof org.apache.kafka.common.errors.TimeoutException) {
      return null;
    }
    if (!missing) {
      synchronized (lock) {
        missingSince = null;
      }
      return null;
    }
    long now = nanoTime.getAsLong();
    synchronized (lock) {
      if (missingSince == null) {
        missingSince = now;
        return null;
      }
      return now - missingSince >= MISSING_TOPIC_LIMIT.toNanos()
          ? "its topic has been missing for " + MISSING_TOPIC_LIMIT + " (" + error + ")"
          : null;
    }
  }

  private void requeue(Pending p) {
    synchronized (lock) {
      if (closed) {
        p.end(() -> p.written().notWritten("the send ledger's writer is closed"));
        return;
      }
      queue.add(p);
      lock.notifyAll();
    }
  }

  private void run(Pending p, Runnable task) {
    try {
      acks.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException | Error e) {
              log.error(
                  "unexpected error after writing {}",
                  p.what().get(),
                  TraceOnly.of(e)); // its message can quote an address
            }
          });
    } catch (RejectedExecutionException shuttingDown) {
      p.end(() -> p.written().notWritten("answered at shutdown"));
    }
  }

  /**
   * Stops the flusher: entries not written yet end as not written (their records stay uncommitted,
   * and are redelivered). The producer is closed by its owner, after this.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      lock.notifyAll();
    }
    flusher.interrupt();
    try {
      if (flusher.isAlive()) {
        flusher.join(Duration.ofSeconds(5).toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    endAll("the send ledger's writer is closed");
  }

  private void endAll(String why) {
    List<Pending> left;
    synchronized (lock) {
      left = new ArrayList<>(queue);
      left.addAll(inFlight);
      queue.clear();
      inFlight.clear();
    }
    left.forEach(p -> p.end(() -> p.written().notWritten(why)));
  }
}
