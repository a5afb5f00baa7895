package dev.postbus.worker.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JoinsTest {

  private final AtomicLong now = new AtomicLong();
  private final List<Long> waits = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<Thread> started = new ArrayList<>();

  /** A joiner whose threads never end: each join lasts the whole time it was given. */
  private final Joins neverEnding =
      new Joins(
          now::get,
          (t, millis) -> {
            waits.add(millis);
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
          });

  @AfterEach
  void endThreads() throws InterruptedException {
    release.countDown();
    for (Thread t : started) {
      t.join();
    }
  }

  private List<Thread> stuck(int n) {
    for (int i = 0; i < n; i++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      t.start();
      started.add(t);
    }
    return List.copyOf(started);
  }

  @Test
  void threadsThatNeverEndShareOneDeadlineInsteadOfOneTimeoutEach() throws InterruptedException {
    List<Thread> lanes = stuck(3);

    List<Thread> late = neverEnding.all(lanes, Duration.ofSeconds(65));

    assertThat(late).containsExactlyElementsOf(lanes);
    assertThat(waits.stream().mapToLong(Long::longValue).sum()).isEqualTo(65_000);
    assertThat(now.get()).isEqualTo(TimeUnit.SECONDS.toNanos(65));
  }

  @Test
  void neverWaitsWithoutABoundOnceTheDeadlineIsNear() throws InterruptedException {
    List<Thread> lanes = stuck(2);
    Joins nineTenthsOfAMillisecondEach =
        new Joins(
            now::get,
            (t, millis) -> {
              waits.add(millis);
              now.addAndGet(TimeUnit.MICROSECONDS.toNanos(900));
            });

    List<Thread> late = nineTenthsOfAMillisecondEach.all(lanes, Duration.ofNanos(1_500_000));

    assertThat(late).containsExactlyElementsOf(lanes);
    assertThat(waits)
        .isNotEmpty()
        .allSatisfy(ms -> assertThat(ms).isPositive()); // join(0) is forever
  }

  @Test
  void threadsThatEndAreNotReportedLate() throws InterruptedException {
    Thread done = new Thread(() -> {});
    done.start();
    Joins real = new Joins(now::get, Thread::join);

    List<Thread> late = real.all(List.of(done), Duration.ofSeconds(30));

    assertThat(late).isEmpty();
    assertThat(done.isAlive()).isFalse();
  }
}
