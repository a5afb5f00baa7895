package dev.postbus.worker.consume;

import java.time.Duration;

/**
 * The consume loop's times, each required.
 *
 * @param commitInterval how often finished offsets are committed
 * @param drainTimeout how long a release waits for its partitions' in-flight sends
 * @param maxPollInterval the consumer's max.poll.interval.ms: the rebalance work of one poll that
 *     takes as long gets the member evicted ({@link RebalanceTime})
 */
public record LoopTimes(Duration commitInterval, Duration drainTimeout, Duration maxPollInterval) {

  public LoopTimes {
    positive("commit interval", commitInterval);
    positive("drain timeout", drainTimeout);
    positive("max.poll.interval.ms", maxPollInterval);
  }

  private static void positive(String what, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive; got " + d);
    }
  }
}
