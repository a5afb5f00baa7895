package dev.postbus.console;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic as it is now, with no consumer group: from the first record at or after a time to
 * the end offsets of the moment it starts, one record at a time, so a large topic is never held
 * whole. Or one record, by position.
 */
final class TopicScan {

  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private TopicScan() {}

  private static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> kafka) {
    Map<String, Object> p = new HashMap<>(kafka);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "postbus-console");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Each record written at or after {@code since} (null: from the start), until {@code each}
   * returns false or the end is reached. A topic that does not exist reads as empty.
   */
  static void from(
      Map<String, Object> kafka,
      String topic,
      Instant since,
      Predicate<ConsumerRecord<byte[], byte[]>> each) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
      if (infos == null || infos.isEmpty()) {
        return;
      }
      List<TopicPartition> tps =
          infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps, TIMEOUT);
      if (since == null) {
        consumer.seekToBeginning(tps);
      } else {
        Map<TopicPartition, Long> times = new HashMap<>();
        tps.forEach(tp -> times.put(tp, since.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(times, TIMEOUT);
        for (TopicPartition tp : tps) {
          OffsetAndTimestamp o = found.get(tp);
          consumer.seek(tp, o == null ? end.get(tp) : o.offset());
        }
      }
      while (!reached(consumer, end)) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
          if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition())) && !each.test(r)) {
            return;
          }
        }
      }
    }
  }

  private static boolean reached(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey(), TIMEOUT) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** The record at {@code partition@offset}, or null when there is none. */
  static ConsumerRecord<byte[], byte[]> one(
      Map<String, Object> kafka, String topic, int partition, long offset) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
      TopicPartition tp = new TopicPartition(topic, partition);
      List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
      if (infos == null || infos.stream().noneMatch(i -> i.partition() == partition)) {
        return null;
      }
      consumer.assign(List.of(tp));
      long end = consumer.endOffsets(List.of(tp), TIMEOUT).get(tp);
      if (offset < 0 || offset >= end) {
        return null;
      }
      consumer.seek(tp, offset);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
          if (r.offset() == offset) {
            return r;
          }
          if (r.offset() > offset) {
            return null; // compacted or deleted
          }
        }
      }
      return null;
    }
  }
}
