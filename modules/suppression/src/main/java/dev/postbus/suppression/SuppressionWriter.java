package dev.postbus.suppression;

import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Adds and removes addresses on the suppressions topic, through a producer it is given. */
public final class SuppressionWriter {

  private final Producer<byte[], byte[]> producer;
  private final String topic;

  public SuppressionWriter(Producer<byte[], byte[]> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  public String topic() {
    return topic;
  }

  public Future<RecordMetadata> add(Suppression s) {
    return add(s, null);
  }

  /**
   * @param done told when Kafka has the record, or why it has not (may be null)
   */
  public Future<RecordMetadata> add(Suppression s, Callback done) {
    return producer.send(
        new ProducerRecord<>(topic, s.key().bytes(), SuppressionCodec.value(s)), done);
  }

  /** A tombstone: the address is off the list once compaction or any reader sees it. */
  public Future<RecordMetadata> remove(String address) {
    return remove(address, null);
  }

  /** A tombstone for the entry of {@code address} scoped to {@code list} (global when null). */
  public Future<RecordMetadata> remove(String address, String list) {
    return producer.send(new ProducerRecord<>(topic, SuppressionCodec.key(address, list), null));
  }

  /**
   * The bounce-rate guard tripped: every worker of the group pauses, now and after any restart,
   * until {@link #guardResumed}.
   */
  public Future<RecordMetadata> guardTripped(String workerId, String reason) {
    return guardTripped(workerId, reason, null);
  }

  /**
   * @param done told when Kafka has the trip (its offset), or why it has not (may be null)
   */
  public Future<RecordMetadata> guardTripped(String workerId, String reason, Callback done) {
    return producer.send(
        new ProducerRecord<>(
            topic,
            SuppressionCodec.GUARD_KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            (workerId + "\n" + reason).getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        done);
  }

  /** An operator resumed delivery after a trip (a tombstone for the guard's key). */
  public Future<RecordMetadata> guardResumed() {
    return producer.send(
        new ProducerRecord<>(
            topic,
            SuppressionCodec.GUARD_KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            null));
  }
}
