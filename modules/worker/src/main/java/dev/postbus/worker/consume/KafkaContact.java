package dev.postbus.worker.consume;

import dev.postbus.worker.time.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.common.MetricName;

/**
 * Whether a running worker is in touch with Kafka: a fetch that brought records, a commit Kafka
 * acknowledged, or a heartbeat the group coordinator answered counts as contact. With none for
 * {@code lostAfter}, Kafka is lost since the last contact; the listener hears of each change once
 * (the time of the last contact when lost, null when back). Kept on the consumer thread.
 */
public final class KafkaContact {

  private final long lostAfterNanos;
  private final Ticker ticker;
  private final Clock clock;
  private final Consumer<Instant> listener;
  private volatile long lastNanos; // read by the lanes (sinceContact)
  private Instant lastInstant;
  private boolean lost;
  private double answered = -1;
  private org.apache.kafka.common.Metric heartbeatsAnswered;

  /**
   * @param listener told the time of the last contact when Kafka is lost, and null when it is back
   */
  public KafkaContact(Duration lostAfter, Ticker ticker, Clock clock, Consumer<Instant> listener) {
    this.lostAfterNanos = lostAfter.toNanos();
    this.ticker = ticker;
    this.clock = clock;
    this.listener = listener;
    this.lastNanos = ticker.read();
    this.lastInstant = clock.instant();
  }

  /** How long Kafka has not answered; readable from any thread. */
  public Duration sinceContact() {
    return Duration.ofNanos(Math.max(0, ticker.read() - lastNanos));
  }

  /** Kafka answered (records fetched, a commit acknowledged). */
  public void contact() {
    lastNanos = ticker.read();
    lastInstant = clock.instant();
    if (lost) {
      lost = false;
      listener.accept(null);
    }
  }

  /**
   * How many heartbeats the group coordinator has answered so far (the consumer's {@code
   * heartbeat-total}; NaN or negative when unknown): contact when it grew since the last look. A
   * heartbeat the consumer only <em>sent</em> is no contact: it goes on sending them for a while
   * into a broker that is gone, and its "last-heartbeat-seconds-ago" counts those.
   */
  public void heartbeatsAnswered(double total) {
    if (!(total >= 0)) {
      return;
    }
    boolean more = total > answered;
    answered = total;
    if (more) {
      contact();
    }
  }

  /**
   * Reads the count of heartbeats the group coordinator answered from the consumer's metrics
   * ({@code heartbeat-total}; not "last-heartbeat-seconds-ago", the last one sent, answered or
   * not), then {@link #check judges}.
   */
  public void judge(Supplier<Map<MetricName, ? extends org.apache.kafka.common.Metric>> metrics) {
    if (heartbeatsAnswered == null) {
      for (Map.Entry<MetricName, ? extends org.apache.kafka.common.Metric> e :
          metrics.get().entrySet()) {
        if (e.getKey().name().equals("heartbeat-total")
            && e.getKey().group().equals("consumer-coordinator-metrics")) {
          heartbeatsAnswered = e.getValue();
        }
      }
    }
    if (heartbeatsAnswered != null && heartbeatsAnswered.metricValue() instanceof Number n) {
      heartbeatsAnswered(n.doubleValue());
    }
    check();
  }

  /** Declares Kafka lost once no contact has come for {@code lostAfter}. */
  public void check() {
    if (!lost && ticker.read() - lastNanos >= lostAfterNanos) {
      lost = true;
      listener.accept(lastInstant);
    }
  }

  public boolean lost() {
    return lost;
  }
}
