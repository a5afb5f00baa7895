package dev.postbus.worker.consume;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Retry-tier partitions waiting for their head record: each is paused (at once, and kept paused by
 * {@link Pauses}), seeked back to that record, until it is due. Consumer thread only.
 */
final class TierHolds {

  private final Consumer<byte[], byte[]> consumer;
  private final Clock clock;
  private final Map<TopicPartition, Instant> held = new HashMap<>();

  TierHolds(Consumer<byte[], byte[]> consumer, Clock clock) {
    this.consumer = consumer;
    this.clock = clock;
  }

  /** A tier partition waits, paused at its head record, until that record is due. */
  void hold(TopicPartition tp, long offset, Instant due) {
    consumer.seek(tp, offset);
    consumer.pause(List.of(tp));
    held.put(tp, due);
  }

  /** Forgets the holds whose record is due now ({@link Pauses} resumes those partitions). */
  void releaseDue() {
    if (held.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    held.values().removeIf(due -> !due.isAfter(now));
  }

  /** The partitions held now (they stay paused when the others resume). */
  Set<TopicPartition> held() {
    return held.keySet();
  }

  /** Partitions assigned afresh or let go: no hold of theirs is kept. */
  void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(held::remove);
  }
}
