package dev.postbus.worker.consume;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.awaitility.core.ConditionFactory;

/** How a unit test waits for the consume loop's thread. */
final class LoopWaits {

  private LoopWaits() {}

  /**
   * Waits up to 30 s for what the loop thread does next, looking every millisecond from the start
   * (5 s timed out on a machine running four builds beside the test: a bound, not a wait, since the
   * condition is met within milliseconds on a quiet one). Against a MockConsumer the loop spins
   * (its poll never blocks), so a step is taken within microseconds; Awaitility's default (a first
   * look after 100 ms, then every 100 ms) would make every step of a test cost 100 ms of wall
   * clock.
   */
  static ConditionFactory soon() {
    return await()
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(1))
        .atMost(Duration.ofSeconds(30));
  }
}
