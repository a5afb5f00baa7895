package dev.postbus.cli;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A class in {@code kafka.client.interceptor.classes} with a bug: an Error out of the consumer's
 * poll once a record holding {@link #MARKER} comes (Kafka logs and ignores an exception from an
 * interceptor, not an Error). It is a producer interceptor too, doing nothing, as the setting
 * reaches the worker's producers as well.
 */
public final class BrokenInterceptor
    implements ConsumerInterceptor<byte[], byte[]>, ProducerInterceptor<byte[], byte[]> {

  /** What a job's body holds to end the consumer thread. */
  static final String MARKER = "the consumer fails on this";

  @Override
  public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (r.value() != null && new String(r.value(), StandardCharsets.UTF_8).contains(MARKER)) {
        throw new AssertionError("a bug in an interceptor (test)");
      }
    }
    return records;
  }

  @Override
  public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

  /**
   * What a job's id holds to end the sender lane that records it: its first record (the event of
   * its delivery) is sent on the lane's thread.
   */
  static final String LANE_MARKER = "the-lane-fails-on-this";

  @Override
  public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
    if (record.value() != null
        && new String(record.value(), StandardCharsets.UTF_8).contains(LANE_MARKER)) {
      throw new AssertionError("a bug in an interceptor (test)");
    }
    return record;
  }

  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

  @Override
  public void close() {}

  @Override
  public void configure(Map<String, ?> configs) {}
}
