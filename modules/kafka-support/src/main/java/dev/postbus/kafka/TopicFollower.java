package dev.postbus.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every partition of one topic (no group: each process reads it all) on its own daemon
 * thread and hands each record to a {@link Handler}. Where it starts is the caller's ({@link
 * Positions}); partitions added to the topic later are found by asking again every {@code recheck}
 * and read from their beginning. A topic that does not exist yet is asked for again every 5 s.
 *
 * <p>It never dies silently. A failure to read (no READ ACL, a broker gone: Kafka not answering the
 * partitions asked for at the start or at each {@code recheck}) makes it {@link State#DOWN} and is
 * tried again after {@link ReaderPacing}'s waits, logged at most once a minute; it is {@link
 * State#UP} again only once Kafka answers (records, or the partitions), not after an empty poll. A
 * handler that throws is counted in {@link #errors()} and logged by its exception's class and the
 * record's position only (a message may hold an address), and the next record goes on. An {@link
 * Error} (or an interrupt) ends the thread: {@link State#DEAD}, counted and logged, with its
 * message and stack, or, from the handler, by its class and the record's position only. {@link
 * #close()} ends the thread and closes the consumer exactly once, however often it is called.
 */
public final class TopicFollower implements AutoCloseable {

  /** Where the follower is; {@link #canBecome} lists the legal steps. */
  public enum State {
    /** Made, not started. */
    NEW,
    /** The topic does not exist (yet). */
    WAITING,
    /** Reading. */
    UP,
    /** The last attempt to read failed; trying again. */
    DOWN,
    /** The thread ended on an error: nothing is read until a restart. */
    DEAD,
    /** Closed. */
    CLOSED;

    boolean canBecome(State next) {
      return switch (this) {
        case NEW, WAITING, UP, DOWN -> next != NEW;
        case DEAD -> next == CLOSED;
        case CLOSED -> false;
      };
    }
  }

  /** Takes one record, on the follower's thread. */
  @FunctionalInterface
  public interface Handler {
    void take(ConsumerRecord<byte[], byte[]> record);
  }

  /** Positions the consumer on partitions it was first assigned, on the follower's thread. */
  @FunctionalInterface
  public interface Positions {
    /**
     * @param atStart whether the topic existed when the follower started (as far as Kafka said: an
     *     ask that failed says nothing), rather than appeared later
     */
    void seek(
        Consumer<byte[], byte[]> consumer, Collection<TopicPartition> partitions, boolean atStart);
  }

  /** Told of each change of state. */
  @FunctionalInterface
  public interface Listener {
    void changed(State state);
  }

  private static final Logger log = LoggerFactory.getLogger(TopicFollower.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration TOPIC_AGAIN = Duration.ofSeconds(5);
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);

  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final String name;
  private final Positions positions;
  private final Handler handler;
  private final Listener listener;
  private final ReaderPacing pacing;
  private final Duration recheck;
  private final LongSupplier nanos;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final CountDownLatch closing = new CountDownLatch(1);
  private final AtomicLong errors = new AtomicLong();
  private volatile State state = State.NEW;
  private long checked; // the follower thread's
  private boolean seenAbsent; // start's, then the follower thread's: Kafka said the topic was not
  private boolean starting; // under the lock: start() was called
  private Thread thread;

  private TopicFollower(Builder b, Handler handler) {
    this.consumer = b.consumer;
    this.topic = b.topic;
    this.name = b.name;
    this.positions = b.positions;
    this.listener = b.listener;
    this.pacing = b.pacing;
    this.recheck = b.recheck;
    this.nanos = b.nanos;
    this.handler = Objects.requireNonNull(handler, "handler");
  }

  /**
   * @param consumer a consumer that joins no group ({@link TopicScan#consumer}); the follower owns
   *     and closes it
   * @param name what the logs call this follower ("soft bounces")
   */
  public static Builder builder(Consumer<byte[], byte[]> consumer, String topic, String name) {
    return new Builder(consumer, topic, name);
  }

  /**
   * Assigns the topic's partitions now when it exists (so every record written after this returns
   * is read), then follows on a daemon thread named {@code threadName}.
   */
  public TopicFollower start(String threadName) {
    synchronized (this) {
      if (starting || state != State.NEW) {
        throw new IllegalStateException(name + ": started twice or after close");
      }
      starting = true;
    }
    boolean assigned = assignAtStart(); // without the lock: close() may wake it
    synchronized (this) {
      if (state != State.CLOSED) {
        thread = new Thread(() -> run(assigned), threadName);
        thread.setDaemon(true);
        thread.start();
        return this;
      }
    }
    closeConsumer(); // closed while starting: close() left the consumer to this thread
    return this;
  }

  private boolean assignAtStart() {
    try {
      return assign();
    } catch (WakeupException e) {
      return false; // close() woke it
    } catch (RuntimeException e) {
      ReaderPacing.Failure f = pacing.failed();
      become(State.DOWN);
      logFailure(f, e);
      return false;
    }
  }

  private void run(boolean assignedAtStart) {
    try {
      loop(assignedAtStart);
    } catch (WakeupException | InterruptedException | InterruptException e) {
      if (state != State.CLOSED) {
        died(e); // not closing: someone else woke or interrupted the thread
      }
    } catch (Throwable t) {
      died(t);
    } finally {
      closeConsumer();
    }
  }

  /** Closes the consumer, on the one thread that used it last; then {@link #close()} returns. */
  private void closeConsumer() {
    try {
      consumer.close(Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      log.warn("{}: closing the consumer of {} failed: {}", name, topic, e.toString());
    } finally {
      stopped.countDown();
    }
  }

  /**
   * The thread ends. An error of the handler is logged by its class only (its message may hold an
   * address); one of the loop (Kafka's client, this class) with its message and stack.
   */
  private void died(Throwable t) {
    errors.incrementAndGet();
    become(State.DEAD);
    if (t instanceof HandlerError h) {
      log.error(
          "{}: the reader of {} stopped on {} from the handler at {}; nothing is read until a"
              + " restart",
          name,
          topic,
          h.type,
          h.at);
    } else {
      log.error(
          "{}: the reader of {} stopped on {}; nothing is read until a restart",
          name,
          topic,
          t.toString(),
          t);
    }
  }

  /** An {@link Error} of the handler, without its message or cause (they may hold an address). */
  private static final class HandlerError extends Error {
    private static final long serialVersionUID = 1L;
    final String type;
    final String at;

    HandlerError(Error e, ConsumerRecord<byte[], byte[]> r) {
      super(null, null, false, false);
      this.type = e.getClass().getName();
      this.at = r.topic() + "-" + r.partition() + "@" + r.offset();
    }
  }

  private void loop(boolean assignedAtStart) throws InterruptedException {
    boolean assigned = assignedAtStart;
    checked = nanos.getAsLong();
    while (state != State.CLOSED) {
      try {
        if (assigned) {
          poll();
        } else if (!(assigned = assign())) {
          closing.await(TOPIC_AGAIN.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (WakeupException e) {
        throw e;
      } catch (RuntimeException e) {
        failed(e);
      }
    }
  }

  private void failed(RuntimeException e) throws InterruptedException {
    ReaderPacing.Failure f = pacing.failed();
    become(State.DOWN);
    logFailure(f, e);
    closing.await(f.delay().toMillis(), TimeUnit.MILLISECONDS);
  }

  private void logFailure(ReaderPacing.Failure f, RuntimeException e) {
    if (f.log()) {
      log.warn(
          "{}: reading {} failed ({} in a row; with ACLs this process needs READ on it); trying"
              + " again in {}: {}",
          name,
          topic,
          f.failures(),
          f.delay(),
          e.toString());
    }
  }

  /**
   * Assigns every partition; false (waiting) while the topic does not exist. Kafka not answering
   * throws (a {@link TopicScan.TimedOut}): the follower is DOWN until it answers.
   */
  private boolean assign() {
    List<TopicPartition> partitions = new TopicScan(consumer, ASK_TIMEOUT).partitions(topic);
    if (partitions.isEmpty()) {
      pacing.succeeded();
      seenAbsent = true;
      if (state == State.NEW) {
        log.info("{}: {} does not exist yet; waiting for it", name, topic);
      }
      become(State.WAITING);
      return false;
    }
    consumer.assign(partitions);
    positions.seek(consumer, partitions, !seenAbsent);
    partitions.forEach(consumer::position); // where it starts as of now, not as of the first poll
    answered();
    log.info("{}: reading {} ({} partitions)", name, topic, partitions.size());
    return true;
  }

  /**
   * Polls once. An empty poll says nothing of Kafka (a consumer polls a broker gone without an
   * error), so only records, or Kafka answering the recheck of the partitions, make it UP; while
   * DOWN the partitions are asked for after every poll.
   */
  private void poll() {
    ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
    for (ConsumerRecord<byte[], byte[]> r : records) {
      hand(r);
    }
    if (!records.isEmpty()) {
      answered();
    }
    if (state != State.UP || nanos.getAsLong() - checked >= recheck.toNanos()) {
      checked = nanos.getAsLong();
      grow();
    }
  }

  private void hand(ConsumerRecord<byte[], byte[]> r) {
    try {
      handler.take(r);
    } catch (Error e) {
      throw new HandlerError(e, r);
    } catch (RuntimeException e) {
      long n = errors.incrementAndGet();
      if (n == 1 || Long.bitCount(n) == 1) {
        log.warn(
            "{}: skipping {}-{}@{}: {} ({} errors so far)",
            name,
            r.topic(),
            r.partition(),
            r.offset(),
            e.getClass().getName(),
            n);
      }
    }
  }

  /** Reads the partitions added to the topic since it was assigned, from their beginning. */
  private void grow() {
    List<TopicPartition> now = new TopicScan(consumer, ASK_TIMEOUT).partitions(topic);
    Set<TopicPartition> had = consumer.assignment();
    List<TopicPartition> added = now.stream().filter(tp -> !had.contains(tp)).toList();
    answered();
    if (added.isEmpty()) {
      return;
    }
    List<TopicPartition> all = new ArrayList<>(had);
    all.addAll(added);
    consumer.assign(all);
    consumer.seekToBeginning(added);
    log.info("{}: {} has {} partitions now; reading the new ones", name, topic, all.size());
  }

  /** Kafka answered (records, or the partitions): UP. */
  private void answered() {
    if (state == State.DOWN) {
      log.info("{}: reading {} again", name, topic);
    }
    pacing.succeeded();
    become(State.UP);
  }

  private synchronized void become(State next) {
    State was = state;
    if (was == next || !was.canBecome(next)) {
      return;
    }
    state = next;
    listener.changed(next);
  }

  /** Where the follower is now. */
  public State state() {
    return state;
  }

  /** Records the handler threw on, plus an error that ended the thread. */
  public long errors() {
    return errors.get();
  }

  /** Ends the thread and closes the consumer; again: nothing. */
  @Override
  public void close() {
    boolean started;
    synchronized (this) {
      if (state == State.CLOSED) {
        return;
      }
      become(State.CLOSED);
      started = starting;
    }
    closing.countDown();
    if (!started) {
      consumer.close(Duration.ZERO);
      return;
    }
    consumer.wakeup(); // the follower's thread, or start() still asking, closes the consumer
    try {
      stopped.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What a follower does besides its handler; each has a default. */
  public static final class Builder {
    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final String name;
    private Positions positions = (c, partitions, atStart) -> c.seekToEnd(partitions);
    private Listener listener = s -> {};
    private ReaderPacing pacing = ReaderPacing.standard();
    private Duration recheck = Duration.ofMinutes(1);
    private LongSupplier nanos = System::nanoTime;

    private Builder(Consumer<byte[], byte[]> consumer, String topic, String name) {
      this.consumer = Objects.requireNonNull(consumer, "consumer");
      this.topic = Objects.requireNonNull(topic, "topic");
      this.name = Objects.requireNonNull(name, "name");
    }

    /** Where it starts on the partitions first assigned; default: their end. */
    public Builder positions(Positions positions) {
      this.positions = Objects.requireNonNull(positions, "positions");
      return this;
    }

    /** Told of each change of state (on the thread that changes it; keep it quick). */
    public Builder listener(Listener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Waits between failed attempts; default {@link ReaderPacing#standard()}. */
    public Builder pacing(ReaderPacing pacing) {
      this.pacing = Objects.requireNonNull(pacing, "pacing");
      return this;
    }

    /** How often the topic's partitions are asked again (default a minute), by {@code nanos}. */
    public Builder recheck(Duration recheck, LongSupplier nanos) {
      if (recheck.isNegative() || recheck.isZero()) {
        throw new IllegalArgumentException("recheck must be positive; got " + recheck);
      }
      this.recheck = recheck;
      this.nanos = Objects.requireNonNull(nanos, "nanos");
      return this;
    }

    public TopicFollower build(Handler handler) {
      return new TopicFollower(this, handler);
    }
  }
}
