package dev.postbus.replay;

import dev.postbus.kafka.Start;
import dev.postbus.kafka.TopicScan;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the dead-letter topic up to its end as of the start of the read (records arriving later
 * wait for the next run). With a group id, reading starts at that group's committed offsets (it
 * joins no group and moves nothing: {@link ReplayGroup} does, for a replay).
 */
public final class DeadLetterTopic implements AutoCloseable {

  /**
   * The most bytes one fetch brings (Kafka's default is 50 MiB): a scan of a large topic holds one
   * fetch at a time, so this bounds a reader's heap whatever the topic's size.
   */
  static final String FETCH_MAX_BYTES = Integer.toString(8 * 1024 * 1024);

  /** How long a read may go without Kafka bringing anything. */
  private static final Duration STALL = Duration.ofSeconds(30);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final TopicScan scan;
  private final String topic;
  private final boolean grouped;

  public DeadLetterTopic(Map<String, Object> kafka, String topic, String groupId) {
    Map<String, Object> props = new HashMap<>(kafka);
    props.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, DeadLetterTopic.FETCH_MAX_BYTES);
    this.consumer = TopicScan.consumer(props, groupId);
    this.scan = TopicScan.whileMoving(consumer, STALL);
    this.topic = topic;
    this.grouped = groupId != null;
  }

  /**
   * Calls {@code each} for every record from the start position to the end; stops early when it
   * returns false. Returns the records read.
   */
  public long read(Predicate<DeadLetter> each) {
    return steps(d -> each.test(d) ? ReplayGroup.Step.NEXT : ReplayGroup.Step.STOP);
  }

  /**
   * As {@link #read}, with a replay's steps: a dry run walks the topic as the replay would ({@link
   * ReplayGroup.Step#STOP_PARTITION} leaves the rest of that partition).
   */
  long steps(Function<DeadLetter, ReplayGroup.Step> each) {
    List<TopicPartition> partitions = scan.partitions(topic);
    if (partitions.isEmpty()) {
      throw new IllegalStateException("topic " + topic + " does not exist");
    }
    return scan.read(
        partitions,
        grouped ? Start.committed() : Start.beginning(),
        r ->
            switch (each.apply(DeadLetter.of(r))) {
              case NEXT -> TopicScan.Step.NEXT;
              case STOP_PARTITION -> TopicScan.Step.STOP_PARTITION;
              case STOP -> TopicScan.Step.STOP;
            });
  }

  /** Each partition's end offset now; a topic that does not exist is refused. */
  Map<Integer, Long> ends() {
    List<TopicPartition> partitions = scan.partitions(topic);
    if (partitions.isEmpty()) {
      throw new IllegalStateException("topic " + topic + " does not exist");
    }
    Map<Integer, Long> out = new HashMap<>();
    consumer.endOffsets(partitions, STALL).forEach((tp, end) -> out.put(tp.partition(), end));
    return out;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
