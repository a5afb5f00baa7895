package dev.postbus.worker.consume;

import dev.postbus.worker.time.Ticker;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long a partition-assignment callback took, against the consumer's max.poll.interval.ms. The
 * callback runs inside poll: a member that does not poll again within that interval is evicted from
 * the group. The whole callback counts (the committed offsets, the send ledger's takeover read, the
 * dedupe index's, the share's partition counts). One that took half the interval or more is logged
 * as a warning, naming what to change; one longer than it says the member was likely evicted.
 * Consumer thread only; {@link #lastTook} from any.
 */
final class AssignmentTime {

  private static final Logger log = LoggerFactory.getLogger(ConsumeLoop.class);

  /** Kafka's default max.poll.interval.ms, when the worker is not told the consumer's. */
  static final Duration KAFKA_POLL_INTERVAL = Duration.ofMinutes(5);

  private static final String WHAT_TO_DO =
      "; the callback reads the committed offsets, then the send ledger (from each commit's mark,"
          + " or ledger.window back without one) and the dedupe index (dedupe.window back):"
          + " shorten dedupe.window (or ledger.window), or raise"
          + " kafka.client.max.poll.interval.ms";

  private final Ticker ticker;
  private Duration pollInterval = KAFKA_POLL_INTERVAL;
  private volatile Duration lastTook = Duration.ZERO;

  /**
   * @param ticker the consume loop's source of elapsed time
   */
  AssignmentTime(Ticker ticker) {
    this.ticker = ticker;
  }

  /** The consumer's max.poll.interval.ms (set before the loop runs); Kafka's default otherwise. */
  void evictedAfter(Duration pollInterval) {
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException(
          "max.poll.interval.ms must be positive; got " + pollInterval.toMillis() + " ms");
    }
    this.pollInterval = pollInterval;
  }

  /** The ticker's reading as a callback starts. */
  long start() {
    return ticker.read();
  }

  /** A callback that started at {@code start} and assigned {@code partitions} has ended. */
  void ended(long start, int partitions) {
    Duration took = Duration.ofNanos(ticker.read() - start);
    lastTook = took;
    if (took.compareTo(pollInterval) > 0) {
      log.warn(
          "the assignment of {} partitions took {} ms, longer than the consumer's"
              + " max.poll.interval.ms ({} ms): this worker was likely evicted from the group, and"
              + " its partitions will be reassigned"
              + WHAT_TO_DO,
          partitions,
          took.toMillis(),
          pollInterval.toMillis());
    } else if (took.multipliedBy(2).compareTo(pollInterval) >= 0) {
      log.warn(
          "the assignment of {} partitions took {} ms, half or more of the consumer's"
              + " max.poll.interval.ms ({} ms): a member that does not poll again within it is"
              + " evicted from the group"
              + WHAT_TO_DO,
          partitions,
          took.toMillis(),
          pollInterval.toMillis());
    }
  }

  /** How long the last assignment callback took (zero before the first). */
  Duration lastTook() {
    return lastTook;
  }
}
