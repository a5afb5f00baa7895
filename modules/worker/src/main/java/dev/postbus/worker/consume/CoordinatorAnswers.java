package dev.postbus.worker.consume;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * How many requests the group coordinator has answered, from the consumer's metrics: heartbeats
 * ({@code heartbeat-total}, every answer, a fencing one too) and the two steps of a rebalance
 * ({@code join-total}, {@code sync-total}), so that a rebalance longer than kafka-lost-after, while
 * heartbeats stop, is contact too. Not "last-heartbeat-seconds-ago": that counts heartbeats sent,
 * and the consumer goes on sending them into a broker that is gone. Consumer thread only.
 */
final class CoordinatorAnswers {

  static final String GROUP = "consumer-coordinator-metrics";

  private static final String HEARTBEATS = "heartbeat-total";

  /**
   * The counters read, each growing by one per answer: every heartbeat answer (an error too), but
   * only successful JoinGroup and SyncGroup answers.
   */
  static final java.util.List<String> COUNTERS =
      java.util.List.of(HEARTBEATS, "join-total", "sync-total");

  private final Map<String, Metric> metrics = new HashMap<>();
  private final Map<String, Double> seen = new HashMap<>();
  private boolean stepped;

  /** True when the coordinator answered anything since the last call. */
  boolean grew(Supplier<Map<MetricName, ? extends Metric>> all) {
    if (metrics.size() < COUNTERS.size()) {
      for (Map.Entry<MetricName, ? extends Metric> e : all.get().entrySet()) {
        if (COUNTERS.contains(e.getKey().name()) && e.getKey().group().equals(GROUP)) {
          metrics.put(e.getKey().name(), e.getValue());
        }
      }
    }
    boolean grew = false;
    stepped = false;
    for (Map.Entry<String, Metric> e : metrics.entrySet()) {
      boolean more = grew(e.getKey(), e.getValue().metricValue());
      grew |= more;
      stepped |= more && !e.getKey().equals(HEARTBEATS);
    }
    return grew;
  }

  /**
   * True when, at the last {@link #grew}, a JoinGroup or SyncGroup had been answered with success
   * (the client counts those only): this member has its place in a generation of the group.
   */
  boolean joined() {
    return stepped;
  }

  private boolean grew(String counter, Object value) {
    if (!(value instanceof Number n) || !(n.doubleValue() >= 0)) {
      return false; // NaN or negative: unknown
    }
    Double before = seen.put(counter, n.doubleValue());
    return before == null ? n.doubleValue() > 0 : n.doubleValue() > before;
  }
}
