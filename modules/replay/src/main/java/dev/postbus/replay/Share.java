package dev.postbus.replay;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.TopicPartition;

/**
 * A replay member's share of the dead-letter topic: the partitions it holds, the end of each (as of
 * when it got it), and those it stopped. Notes changes from the rebalance listener; the loop asks
 * it whether the share is done.
 */
final class Share {
  private final Set<TopicPartition> fresh = new HashSet<>();
  private final Map<TopicPartition, Long> end = new HashMap<>();
  private final Set<TopicPartition> stopped = new HashSet<>();

  /**
   * Partitions were given since the last revoke. With eager rebalancing a poll takes every
   * partition back and may return before the rejoin gives some again: holding none then means
   * "wait", not "done".
   */
  private boolean given;

  /** Kafka gave these partitions (maybe none). */
  void assigned(Collection<TopicPartition> partitions) {
    fresh.addAll(partitions);
    given = true;
  }

  /** Kafka took these partitions back. */
  void revoked(Collection<TopicPartition> partitions) {
    partitions.forEach(
        tp -> {
          fresh.remove(tp);
          end.remove(tp);
          stopped.remove(tp);
        });
    given = false;
  }

  /** Partitions given since the last call, whose ends are still to be looked up. */
  Set<TopicPartition> takeFresh() {
    Set<TopicPartition> out = Set.copyOf(fresh);
    fresh.clear();
    return out;
  }

  void ends(Map<TopicPartition, Long> ends) {
    end.putAll(ends);
  }

  /** True when this record is in the share and not yet handled. */
  boolean takes(TopicPartition tp, long offset) {
    return !stopped.contains(tp) && end.containsKey(tp) && offset < end.get(tp);
  }

  void stop(TopicPartition tp) {
    stopped.add(tp);
  }

  /**
   * True when partitions were given since the last revoke and each is read to its end or stopped.
   */
  boolean finished(ToLongFunction<TopicPartition> position) {
    if (!given) {
      return false;
    }
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (!stopped.contains(e.getKey()) && position.applyAsLong(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
