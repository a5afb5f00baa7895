package dev.postbus.replay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

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

  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String topic;
  private final boolean grouped;

  public DeadLetterTopic(Map<String, Object> kafka, String topic, String groupId) {
    Map<String, Object> props = new HashMap<>(kafka);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, DeadLetterTopic.FETCH_MAX_BYTES);
    if (groupId != null) {
      props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    }
    this.consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
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
    List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException("topic " + topic + " does not exist");
    }
    List<TopicPartition> partitions =
        infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
    Map<TopicPartition, OffsetAndMetadata> committed =
        grouped ? consumer.committed(new java.util.HashSet<>(partitions), TIMEOUT) : Map.of();
    for (TopicPartition tp : partitions) {
      OffsetAndMetadata c = committed.get(tp);
      if (c != null) {
        consumer.seek(tp, c.offset());
      } else {
        consumer.seekToBeginning(List.of(tp));
      }
    }
    long read = 0;
    List<TopicPartition> open = new ArrayList<>(partitions);
    open.removeIf(tp -> consumer.position(tp, TIMEOUT) >= end.get(tp));
    while (!open.isEmpty()) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (!open.contains(tp) || r.offset() >= end.get(tp)) {
          continue;
        }
        read++;
        ReplayGroup.Step step = each.apply(DeadLetter.of(r));
        if (step == ReplayGroup.Step.STOP) {
          return read;
        }
        if (step == ReplayGroup.Step.STOP_PARTITION) {
          open.remove(tp);
          consumer.pause(List.of(tp));
        }
      }
      open.removeIf(tp -> consumer.position(tp) >= end.get(tp));
    }
    return read;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
