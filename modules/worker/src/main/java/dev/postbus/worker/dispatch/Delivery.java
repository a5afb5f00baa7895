package dev.postbus.worker.dispatch;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;

/**
 * One consumed record on its way through a lane. {@code owner} is the assignment it was consumed
 * under: when the partition is revoked the work stops and any late result is discarded.
 */
public record Delivery(
    TopicPartition partition,
    long offset,
    byte[] key,
    byte[] value,
    Headers headers,
    long timestamp,
    PartitionOffsets owner) {

  public int size() {
    return value == null ? 0 : value.length;
  }

  @Override
  public String toString() {
    return partition + "@" + offset;
  }
}
