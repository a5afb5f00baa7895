package dev.postbus.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads partitions of a topic up to their end offsets as of the start of the read, with a consumer
 * that joins no group (assigned partitions): records written later wait for the next read. The
 * whole read, each call to Kafka included, has one deadline; passing it throws an {@link
 * IllegalStateException} naming the topic and how far each unfinished partition got.
 *
 * <p>A partition is done when the consumer's position reaches its end offset, whether the last
 * record was delivered or the position jumped past it (a compacted gap, a transaction marker, an
 * aborted transaction under read_committed). Records at or past the end are not delivered; when a
 * read finishes, each partition is left positioned at its end, so the next read (with {@link
 * Start#current()}) or a follower polling the same consumer goes on from there and misses nothing.
 */
public final class TopicScan {

  /** What a read does after one record. */
  public enum Step {
    /** Go on. */
    NEXT,
    /** Leave the rest of this record's partition. */
    STOP_PARTITION,
    /** Stop the whole read (the consumer's positions are then wherever the read was). */
    STOP
  }

  /** Sees each record of a read, in each partition's order. */
  @FunctionalInterface
  public interface Visitor {
    Step visit(ConsumerRecord<byte[], byte[]> record);
  }

  /** A read or a question to Kafka that did not finish in time; the message names the topic. */
  public static final class TimedOut extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    TimedOut(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final long ASK_AGAIN_NANOS = 200_000_000L;

  private final Consumer<byte[], byte[]> consumer;
  private final Duration timeout;
  private final boolean whileMoving;
  private final LongSupplier nanoTime;

  /**
   * A scan whose every read finishes within {@code timeout}, however much there is to read.
   *
   * @param consumer a consumer this scan uses and does not close (it assigns, seeks, pauses)
   * @param timeout the longest one read (or {@link #partitions} call) may take
   */
  public TopicScan(Consumer<byte[], byte[]> consumer, Duration timeout) {
    this(consumer, timeout, false, System::nanoTime);
  }

  TopicScan(
      Consumer<byte[], byte[]> consumer,
      Duration timeout,
      boolean whileMoving,
      LongSupplier nanoTime) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive; got " + timeout);
    }
    this.consumer = consumer;
    this.timeout = timeout;
    this.whileMoving = whileMoving;
    this.nanoTime = nanoTime;
  }

  /**
   * A scan whose reads may take as long as there is to read, and fail only when Kafka brings
   * nothing for {@code stall} (for reads whose size grows with the topic: a dry run over every dead
   * letter, a search of the events topic).
   */
  public static TopicScan whileMoving(Consumer<byte[], byte[]> consumer, Duration stall) {
    return new TopicScan(consumer, stall, true, System::nanoTime);
  }

  /**
   * A consumer for scans: byte arrays, no group (a group id given is dropped), no commits, the
   * earliest offset when a position is out of range (the start of a partition was deleted), and
   * never a missing topic created by the broker (allow.auto.create.topics=false).
   */
  public static KafkaConsumer<byte[], byte[]> consumer(Map<String, ?> kafka) {
    return consumer(kafka, null);
  }

  /**
   * As {@link #consumer(Map)}, with {@code group} as its group id (null: none): it still joins no
   * group, but {@link Start#committed()} can read that group's offsets.
   */
  public static KafkaConsumer<byte[], byte[]> consumer(Map<String, ?> kafka, String group) {
    return new KafkaConsumer<>(
        settings(kafka, group), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * The settings of {@link #consumer(Map, String)}: {@code kafka} with {@code group} alone as the
   * group id, no commits, and never a topic created by asking for its partitions (a broker with
   * auto.create.topics.enable would create a missing topic with its defaults).
   */
  static Map<String, Object> settings(Map<String, ?> kafka, String group) {
    Map<String, Object> p = new HashMap<>(kafka);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    if (group != null) {
      p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    }
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    return p;
  }

  /**
   * Reads every partition of {@code topic} once, from {@code start}, with a consumer of its own
   * ({@link #consumer(Map)}), for as long as records keep coming ({@link #whileMoving}); a topic
   * that does not exist reads as empty. Returns the records seen.
   */
  public static long readTopic(
      Map<String, Object> kafka, String topic, Start start, Duration stall, Visitor each) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
      TopicScan scan = whileMoving(consumer, stall);
      return scan.read(scan.partitions(topic), start, each);
    }
  }

  /**
   * As {@link #partitions}, for a topic that should exist (created a moment ago, e.g. by the
   * worker's start-up): an unknown topic is asked about again for up to {@code settle}.
   */
  public List<TopicPartition> partitionsOnceKnown(String topic, Duration settle) {
    long until = nanoTime.getAsLong() + settle.toNanos();
    while (true) {
      List<TopicPartition> known = partitions(topic);
      if (!known.isEmpty() || nanoTime.getAsLong() - until >= 0) {
        return known;
      }
      LockSupport.parkNanos(ASK_AGAIN_NANOS);
      if (Thread.currentThread().isInterrupted()) {
        return known;
      }
    }
  }

  /** Every partition of {@code topic}, in order; empty when the topic does not exist. */
  public List<TopicPartition> partitions(String topic) {
    List<PartitionInfo> infos;
    try {
      infos = consumer.partitionsFor(topic, timeout);
    } catch (TimeoutException e) {
      throw new TimedOut(
          "the partitions of topic " + topic + " could not be read: " + noAnswer(), e);
    }
    if (infos == null) {
      return List.of();
    }
    return infos.stream()
        .map(i -> new TopicPartition(topic, i.partition()))
        .sorted(java.util.Comparator.comparingInt(TopicPartition::partition))
        .toList();
  }

  /**
   * Calls {@code each} for every record of {@code partitions} from {@code start} up to their end
   * offsets of now, until it says {@link Step#STOP}. Returns the records it saw.
   *
   * @throws TimedOut when the read does not finish within the timeout
   */
  public long read(Collection<TopicPartition> partitions, Start start, Visitor each) {
    if (partitions.isEmpty()) {
      return 0;
    }
    ScanRead read =
        new ScanRead(consumer, new LinkedHashSet<>(partitions), timeout, whileMoving, nanoTime);
    try {
      return read.run(start, each);
    } catch (TimeoutException e) {
      throw read.timedOut(e);
    }
  }

  /**
   * The record at {@code partition@offset}, or null when there is none (never written, deleted,
   * compacted away, or a partition the topic does not have).
   */
  public ConsumerRecord<byte[], byte[]> one(TopicPartition partition, long offset) {
    if (offset < 0 || !partitions(partition.topic()).contains(partition)) {
      return null;
    }
    List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>(1);
    read(
        List.of(partition),
        Start.offsets(Map.of(partition, offset)),
        r -> {
          if (r.offset() == offset) {
            found.add(r);
          }
          return Step.STOP;
        });
    return found.isEmpty() ? null : found.get(0);
  }

  private String noAnswer() {
    return "Kafka did not answer within " + seconds(timeout);
  }

  static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
