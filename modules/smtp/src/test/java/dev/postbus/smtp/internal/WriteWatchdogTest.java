package dev.postbus.smtp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, defect 1: one session that fails while being closed must not end every write timeout.
 * Nor may anything else thrown on the watchdog's thread (an Error from a deadline, the log), nor a
 * thread that could not start leave a session watched.
 */
class WriteWatchdogTest {

  private static final long IN_A_MINUTE = 60_000_000_000L; // ns: the watchdog will not act

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

  @Test
  void theWatchdogOutlivesAnErrorFromADeadline() {
    WriteWatchdog.restart(WriteWatchdog.THREADS); // one thread, the one the error hits
    AtomicBoolean thrown = new AtomicBoolean();
    WriteWatchdog.Watched failing =
        new WriteWatchdog.Watched() {
          @Override
          public long deadline() {
            if (thrown.compareAndSet(false, true)) {
              throw new OutOfMemoryError("a deadline that could not be read");
            }
            return 0;
          }

          @Override
          public void timedOut() {}
        };
    WriteWatchdog.watch(failing);
    try {
      Awaitility.await()
          .dontCatchUncaughtExceptions()
          .atMost(Duration.ofSeconds(5))
          .untilTrue(thrown);
      CountDownLatch cut = new CountDownLatch(1);
      WriteWatchdog.watch(overdue(cut::countDown));
      Awaitility.await("the next stalled write is still cut")
          .dontCatchUncaughtExceptions()
          .atMost(Duration.ofSeconds(5))
          .until(() -> cut.getCount() == 0);
    } finally {
      WriteWatchdog.unwatch(failing);
    }
  }

  /** A thread that cannot start (no memory for its stack, say): nothing stays watched. */
  @Test
  void aHandshakeIsNotWatchedWhenTheWatchdogCannotStart() {
    WriteWatchdog.restart(
        r ->
            new Thread(r) {
              @Override
              public synchronized void start() {
                throw new OutOfMemoryError("unable to create native thread");
              }
            });
    try {
      Tls.Handshake handshake = new Tls.Handshake(new Socket(), IN_A_MINUTE);
      assertThatThrownBy(() -> handshake.run(() -> {})).isInstanceOf(OutOfMemoryError.class);
      assertThat(WriteWatchdog.watching(handshake)).as("the handshake is watched").isFalse();
    } finally {
      WriteWatchdog.restart(WriteWatchdog.THREADS);
    }
  }

  /**
   * {@link WriteWatchdog#restart} while the thread in place is in a tick: the old thread and the
   * new one both find an overdue session that leaves on timeout; it is timed out once.
   */
  @Test
  void aSessionIsTimedOutOnceWhileTheThreadInPlaceChanges() throws Exception {
    WriteWatchdog.Watched first = idle();
    WriteWatchdog.watch(first); // a thread in place
    CyclicBarrier bothTicking = new CyclicBarrier(2);
    List<Thread> callers = new CopyOnWriteArrayList<>();
    AtomicInteger timedOut = new AtomicInteger();
    WriteWatchdog.Watched overdue =
        new WriteWatchdog.Watched() {
          @Override
          public long deadline() {
            callers.add(Thread.currentThread());
            if (callers.size() <= 2) {
              try {
                bothTicking.await(10, TimeUnit.SECONDS); // the old thread waits for the new one
              } catch (Exception e) {
                // one tick alone: the test fails on its counts
              }
            }
            return System.nanoTime() - Duration.ofSeconds(1).toNanos() | 1;
          }

          @Override
          public void timedOut() {
            timedOut.incrementAndGet();
          }
        };
    WriteWatchdog.watch(overdue);
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> callers.size() == 1);
    Thread old = callers.get(0);

    WriteWatchdog.restart(WriteWatchdog.THREADS);
    AtomicInteger probed = new AtomicInteger();
    WriteWatchdog.Watched probe = idle(probed);
    WriteWatchdog.watch(probe); // starts the new thread
    old.join(Duration.ofSeconds(10).toMillis());
    int before = probed.get();
    Awaitility.await("a whole tick of the new thread after its first")
        .atMost(Duration.ofSeconds(5))
        .until(() -> probed.get() >= before + 2);

    assertThat(old.isAlive()).as("the old thread ended").isFalse();
    assertThat(timedOut).as("times the overdue session was timed out").hasValue(1);
    WriteWatchdog.unwatch(first);
    WriteWatchdog.unwatch(probe);
  }

  private static WriteWatchdog.Watched idle() {
    return idle(new AtomicInteger());
  }

  /** A session never overdue; {@code ticks} counts the ticks that looked at it. */
  private static WriteWatchdog.Watched idle(AtomicInteger ticks) {
    return new WriteWatchdog.Watched() {
      @Override
      public long deadline() {
        ticks.incrementAndGet();
        return 0;
      }

      @Override
      public void timedOut() {}
    };
  }
}
