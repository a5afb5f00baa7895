package dev.postbus.worker.dispatch;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** The {@link PartitionOffsets} of every partition this worker owns. Consumer thread only. */
public final class OffsetTracker {

  private final Map<TopicPartition, PartitionOffsets> partitions = new HashMap<>();

  public PartitionOffsets assign(TopicPartition tp) {
    PartitionOffsets fresh = new PartitionOffsets();
    PartitionOffsets old = partitions.put(tp, fresh);
    if (old != null) {
      old.markRevoked();
    }
    return fresh;
  }

  public void revoke(Collection<TopicPartition> tps) {
    for (TopicPartition tp : tps) {
      PartitionOffsets old = partitions.remove(tp);
      if (old != null) {
        old.markRevoked();
      }
    }
  }

  /** The current offsets of {@code tp}, or null when it is not owned. */
  public PartitionOffsets get(TopicPartition tp) {
    return partitions.get(tp);
  }

  /** True when the result belongs to the current assignment of its partition. */
  public boolean isCurrent(TopicPartition tp, PartitionOffsets owner) {
    return partitions.get(tp) == owner;
  }

  /**
   * A delivery's outcome is durable: its offset is finished, unless its partition was let go since
   * (a result for an earlier assignment is discarded).
   */
  public void finished(Delivery d) {
    if (isCurrent(d.partition(), d.owner())) {
      d.owner().complete(d.offset());
    }
  }

  /** The partitions are about to be let go: held work for them is handed back. */
  public void releasing(Collection<TopicPartition> tps) {
    for (TopicPartition tp : tps) {
      PartitionOffsets p = partitions.get(tp);
      if (p != null) {
        p.markReleasing();
      }
    }
  }

  public int inFlight(Collection<TopicPartition> tps) {
    int n = 0;
    for (TopicPartition tp : tps) {
      PartitionOffsets p = partitions.get(tp);
      n += p == null ? 0 : p.inFlight();
    }
    return n;
  }

  /** Offsets that moved since they were last committed, for the given partitions. */
  public Map<TopicPartition, OffsetAndMetadata> commitDue(Collection<TopicPartition> tps) {
    Map<TopicPartition, OffsetAndMetadata> due = new HashMap<>();
    for (TopicPartition tp : tps) {
      PartitionOffsets p = partitions.get(tp);
      if (p != null) {
        p.commitDue().ifPresent(o -> due.put(tp, new OffsetAndMetadata(o)));
      }
    }
    return due;
  }

  public Map<TopicPartition, OffsetAndMetadata> commitDue() {
    return commitDue(partitions.keySet());
  }

  /**
   * What may be committed of every owned partition that has had a record, moved or not (committing
   * it again proves this member still owns them).
   */
  public Map<TopicPartition, OffsetAndMetadata> committable() {
    Map<TopicPartition, OffsetAndMetadata> all = new HashMap<>();
    partitions.forEach(
        (tp, p) -> p.committable().ifPresent(o -> all.put(tp, new OffsetAndMetadata(o))));
    return all;
  }

  public void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
    offsets.forEach(
        (tp, o) -> {
          PartitionOffsets p = partitions.get(tp);
          if (p != null) {
            p.committed(o.offset());
          }
        });
  }

  public java.util.Set<TopicPartition> owned() {
    return java.util.Set.copyOf(partitions.keySet());
  }
}
