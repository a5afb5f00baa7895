package dev.postbus.suppression;

import dev.postbus.kafka.Start;
import dev.postbus.kafka.TopicScan;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the whole suppressions topic from its start, with no consumer group (every reader sees
 * every partition), and then, when asked to {@link #follow}, keeps reading new records on its own
 * thread until closed. Each record goes to a {@link Listener}; one that is not a suppression is
 * skipped and reported, never thrown.
 */
public final class SuppressionReader implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SuppressionReader.class);
  private static final Duration POLL = Duration.ofMillis(200);

  /** What the reader finds on the topic. */
  public interface Listener {
    void added(Suppression s);

    /** The entry of {@code key} (an address, global or scoped to a list) was removed. */
    void removed(SuppressionCodec.Key key);

    /** A record that is not a suppression: {@code problem} names the field, never the address. */
    void malformed(String problem);

    /**
     * The bounce-rate guard of the group was tripped ({@code trip}: "worker id, newline, reason"),
     * or resumed (null). Not an address: lists ignore it.
     */
    default void guard(String trip) {}

    /** {@link #guard(String)}, with the record's offset (a resume below a newer trip is stale). */
    default void guard(String trip, long offset) {
      guard(trip);
    }
  }

  /** How long a topic Kafka does not know yet is asked about again before it counts as missing. */
  private static final Duration SETTLE = Duration.ofSeconds(10);

  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final Listener listener;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running;
  private Thread thread;

  /**
   * Assigns every partition of {@code topic} and reads it to the end offsets it has now, within
   * {@code timeout}.
   *
   * @param kafka the client settings (bootstrap servers and any security settings); a group id is
   *     dropped
   * @throws IllegalStateException when the topic does not exist or cannot be read in time, with
   *     what to do
   */
  public static SuppressionReader load(
      Map<String, Object> kafka, String topic, Duration timeout, Listener listener) {
    return load(consumer(kafka), topic, timeout, SETTLE, listener);
  }

  private static Consumer<byte[], byte[]> consumer(Map<String, Object> kafka) {
    Map<String, Object> p = new HashMap<>(kafka);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
    p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "postbus-suppressions");
    return TopicScan.consumer(p);
  }

  private static SuppressionReader load(
      Consumer<byte[], byte[]> consumer,
      String topic,
      Duration timeout,
      Duration settle,
      Listener listener) {
    SuppressionReader reader = new SuppressionReader(consumer, topic, listener);
    try {
      reader.readToEnd(timeout, settle);
    } catch (RuntimeException e) {
      consumer.close(Duration.ZERO);
      throw e;
    }
    return reader;
  }

  /**
   * Reads the whole topic once: the list, by entry (normalized address and list), oldest entry
   * first.
   */
  public static Map<SuppressionCodec.Key, Suppression> readAll(
      Map<String, Object> kafka,
      String topic,
      Duration timeout,
      java.util.function.Consumer<String> malformed) {
    return readAll(consumer(kafka), topic, timeout, SETTLE, malformed);
  }

  /**
   * As {@link #readAll}, for a command that only consults the list (a replay that notes who is
   * still suppressed): empty when the topic does not exist now, asked once, with no wait for a
   * topic that might appear (nothing created it a moment ago).
   *
   * @throws IllegalStateException when the topic exists and cannot be read in time
   */
  public static Optional<Map<SuppressionCodec.Key, Suppression>> readAllIfThere(
      Map<String, Object> kafka,
      String topic,
      Duration timeout,
      java.util.function.Consumer<String> malformed) {
    return readAllIfThere(consumer(kafka), topic, timeout, malformed);
  }

  static Optional<Map<SuppressionCodec.Key, Suppression>> readAllIfThere(
      Consumer<byte[], byte[]> consumer,
      String topic,
      Duration timeout,
      java.util.function.Consumer<String> malformed) {
    try {
      return Optional.of(readAll(consumer, topic, timeout, Duration.ZERO, malformed));
    } catch (Missing e) {
      return Optional.empty();
    }
  }

  private static Map<SuppressionCodec.Key, Suppression> readAll(
      Consumer<byte[], byte[]> consumer,
      String topic,
      Duration timeout,
      Duration settle,
      java.util.function.Consumer<String> malformed) {
    Map<SuppressionCodec.Key, Suppression> list = new LinkedHashMap<>();
    Listener collect =
        new Listener() {
          @Override
          public void added(Suppression s) {
            list.remove(s.key());
            list.put(s.key(), s);
          }

          @Override
          public void removed(SuppressionCodec.Key key) {
            list.remove(key);
          }

          @Override
          public void malformed(String problem) {
            malformed.accept(problem);
          }
        };
    try (SuppressionReader r = load(consumer, topic, timeout, settle, collect)) {
      return list;
    }
  }

  /** The topic does not exist (its message says what to do). */
  private static final class Missing extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    Missing(String message) {
      super(message);
    }
  }

  private SuppressionReader(Consumer<byte[], byte[]> consumer, String topic, Listener listener) {
    this.consumer = consumer;
    this.topic = topic;
    this.listener = listener;
  }

  private static Duration min(Duration a, Duration b) { // zero: asked once
    return a.compareTo(b) < 0 ? a : b;
  }

  private void readToEnd(Duration timeout, Duration settle) {
    TopicScan scan = new TopicScan(consumer, timeout);
    try {
      // the worker may have created the topic a moment ago: a broker can lag in knowing it
      List<TopicPartition> partitions = scan.partitionsOnceKnown(topic, min(timeout, settle));
      if (partitions.isEmpty()) {
        throw new Missing(
            "the suppression list topic "
                + topic
                + " does not exist; create the topics with `postbus topics create`"
                + " (or let the worker create them: topics.auto-create=true)");
      }
      scan.read(
          partitions,
          Start.beginning(),
          r -> {
            apply(r);
            return TopicScan.Step.NEXT;
          });
    } catch (TopicScan.TimedOut e) {
      throw new IllegalStateException(
          "the suppression list " + topic + " could not be read: " + e.getMessage(), e);
    }
  }

  private void poll() {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
      apply(r);
    }
  }

  private void apply(ConsumerRecord<byte[], byte[]> r) {
    if (SuppressionCodec.isGuard(r.key())) {
      listener.guard(
          r.value() == null ? null : new String(r.value(), java.nio.charset.StandardCharsets.UTF_8),
          r.offset());
      return;
    }
    try {
      SuppressionCodec.Key key = SuppressionCodec.parseKey(r.key());
      if (r.value() == null) {
        listener.removed(key);
      } else {
        listener.added(SuppressionCodec.read(key, r.value()));
      }
    } catch (SuppressionCodec.MalformedException e) {
      listener.malformed(
          "partition " + r.partition() + " offset " + r.offset() + ": " + e.getMessage());
    }
  }

  /** Keeps reading new records on a daemon thread until {@link #close}. */
  public synchronized void follow() {
    if (thread != null) {
      return;
    }
    running = true;
    thread = new Thread(this::followLoop, "postbus-suppressions");
    thread.setDaemon(true);
    thread.start();
  }

  private void followLoop() {
    try {
      while (running) {
        try {
          poll();
        } catch (WakeupException e) {
          break;
        } catch (RuntimeException e) {
          log.warn("reading the suppression list {} failed; trying again: {}", topic, e.toString());
          sleepQuietly();
        }
      }
    } finally {
      consumer.close(Duration.ofSeconds(5));
      stopped.countDown();
    }
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Stops following, or, for a reader that only loaded, closes its consumer at once: it joined no
   * group (nothing to commit or leave), and a close within a timeout would wait out the fetch Kafka
   * holds for fetch.max.wait.ms for partitions read to their end.
   */
  @Override
  public synchronized void close() {
    if (thread == null) {
      consumer.close(Duration.ZERO);
      return;
    }
    running = false;
    consumer.wakeup();
    try {
      stopped.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
