package dev.postbus.worker.dispatch;

import dev.postbus.job.JobClass;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;

/**
 * One consumed record on its way through a lane. {@code owner} is the assignment it was consumed
 * under: when the partition is revoked the work stops and any late result is discarded. {@code
 * jobClass} is the class it is scheduled in: its topic's ({@code <topic>.bulk} is bulk), or on a
 * retry tier the {@code postbus.class} header's.
 */
public record Delivery(
    TopicPartition partition,
    long offset,
    byte[] key,
    byte[] value,
    Headers headers,
    long timestamp,
    PartitionOffsets owner,
    JobClass jobClass) {

  public Delivery {
    jobClass = jobClass == null ? JobClass.TRANSACTIONAL : jobClass;
  }

  /** A transactional delivery. */
  public Delivery(
      TopicPartition partition,
      long offset,
      byte[] key,
      byte[] value,
      Headers headers,
      long timestamp,
      PartitionOffsets owner) {
    this(partition, offset, key, value, headers, timestamp, owner, JobClass.TRANSACTIONAL);
  }

  public boolean bulk() {
    return jobClass == JobClass.BULK;
  }

  public int size() {
    return value == null ? 0 : value.length;
  }

  @Override
  public String toString() {
    return partition + "@" + offset;
  }
}
