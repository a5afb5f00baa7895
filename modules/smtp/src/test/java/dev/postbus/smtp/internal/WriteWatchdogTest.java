package dev.postbus.smtp.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, defect 1: one session that fails while being closed must not end every write timeout.
 */
class WriteWatchdogTest {

  /** A session whose deadline passed long ago. */
  private static WriteWatchdog.Watched overdue(Runnable onTimeout) {
    return new WriteWatchdog.Watched() {
      @Override
      public long deadline() {
        return System.nanoTime() - Duration.ofSeconds(1).toNanos() | 1;
      }

      @Override
      public void timedOut() {
        onTimeout.run();
      }
    };
  }

  @Test
  void theWatchdogOutlivesASessionThatThrowsWhenClosed() {
    AtomicBoolean first = new AtomicBoolean();
    WriteWatchdog.watch(
        overdue(
            () -> {
              first.set(true);
              throw new IllegalStateException("closing failed");
            }));
    Awaitility.await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(5)).untilTrue(first);
    AtomicBoolean second = new AtomicBoolean();
    WriteWatchdog.watch(overdue(() -> second.set(true)));
    Awaitility.await("the next stalled write is still cut")
        .dontCatchUncaughtExceptions()
        .atMost(Duration.ofSeconds(5))
        .untilTrue(second);
  }
}
