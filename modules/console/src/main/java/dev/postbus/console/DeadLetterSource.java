package dev.postbus.console;

import dev.postbus.replay.DeadLetter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The dead-letter topic for {@link PageIndex}: one partition at a time, with no consumer group, a
 * fetch of at most 8 MiB, each record read counted.
 */
final class DeadLetterSource implements PageIndex.Source, AutoCloseable {

  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String FETCH_MAX_BYTES = Integer.toString(8 * 1024 * 1024);

  private final Consumer<byte[], byte[]> consumer;
  private final List<TopicPartition> partitions;
  private final LongAdder read;
  private final Duration stall;
  private final LongSupplier nanoTime;

  /** {@code read}: counts each record read. Refuses a topic that does not exist. */
  DeadLetterSource(Map<String, Object> kafka, String topic, LongAdder read) {
    this(
        new KafkaConsumer<>(
            settings(kafka), new ByteArrayDeserializer(), new ByteArrayDeserializer()),
        topic,
        read,
        ConsoleConfig.READ_TIMEOUT,
        System::nanoTime);
  }

  /**
   * @param stall how long a read may go without its position moving before it fails
   * @param nanoTime the clock of that
   */
  DeadLetterSource(
      Consumer<byte[], byte[]> consumer,
      String topic,
      LongAdder read,
      Duration stall,
      LongSupplier nanoTime) {
    this.consumer = consumer;
    this.read = read;
    this.stall = stall;
    this.nanoTime = nanoTime;
    try {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " does not exist");
      }
      this.partitions =
          infos.stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
              .toList();
    } catch (RuntimeException e) {
      consumer.close(Duration.ZERO);
      throw e;
    }
  }

  /**
   * The settings of its consumer: {@code kafka} without a group, no commits, and never a missing
   * topic created by asking for its partitions (a broker with auto.create.topics.enable would).
   */
  static Map<String, Object> settings(Map<String, Object> kafka) {
    Map<String, Object> p = new HashMap<>(kafka);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    p.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, FETCH_MAX_BYTES);
    p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "postbus-console");
    return p;
  }

  @Override
  public long[] begin() {
    return offsets(consumer.beginningOffsets(partitions, TIMEOUT));
  }

  @Override
  public long[] end() {
    return offsets(consumer.endOffsets(partitions, TIMEOUT));
  }

  private long[] offsets(Map<TopicPartition, Long> found) {
    return partitions.stream().mapToLong(found::get).toArray();
  }

  @Override
  public void read(int partition, long from, long to, Predicate<DeadLetter> each) {
    TopicPartition tp = partitions.get(partition);
    if (from >= to) {
      return;
    }
    consumer.assign(List.of(tp));
    consumer.seek(tp, from);
    long reached = from;
    long deadline = nanoTime.getAsLong() + stall.toNanos();
    long position;
    while ((position = consumer.position(tp, TIMEOUT)) < to) {
      if (position > reached) {
        reached = position;
        deadline = nanoTime.getAsLong() + stall.toNanos();
      } else if (nanoTime.getAsLong() - deadline >= 0) {
        throw stalled(tp, position, to);
      }
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
        if (r.offset() >= to) {
          return;
        }
        read.increment();
        if (!each.test(DeadLetter.of(r))) {
          return;
        }
      }
    }
  }

  /** A read whose position did not move for {@link #stall}: a 503, its Scans place given back. */
  private IllegalStateException stalled(TopicPartition tp, long position, long to) {
    return new IllegalStateException(
        "reading "
            + tp
            + " stopped at offset "
            + position
            + " of "
            + to
            + ": nothing came for "
            + stall.toSeconds()
            + " s (Kafka unreachable, or the topic deleted and created again?); try again");
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
