package dev.postbus.worker.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.job.JobClass;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ClassTurnsTest {

  private static final Duration LONG = Duration.ofSeconds(10);

  /**
   * A waiter's class supplier that throws while another waiter looks whose turn it is (as it
   * leaves, too) does not leave the turns locked: every lane on them would wait for ever.
   */
  @Test
  void aClassSupplierThatThrowsWhileAnotherLeavesLeavesTheTurnsUsable() throws Exception {
    ClassTurns turns = new ClassTurns(0);
    CompletableFuture<Boolean> first =
        waiter(turns, () -> JobClass.TRANSACTIONAL, () -> false, () -> false);
    await().atMost(LONG).until(() -> turns.transactionalWaiting());

    AtomicBoolean thrown = new AtomicBoolean();
    AtomicBoolean armed = new AtomicBoolean();
    AtomicBoolean leave = new AtomicBoolean();
    Thread[] owner = new Thread[1];
    Supplier<JobClass> throwsOnceFromElsewhere =
        () -> {
          if (Thread.currentThread() != owner[0] && armed.get()) {
            thrown.set(true);
            throw new IllegalStateException("a supplier that failed");
          }
          return JobClass.BULK;
        };
    CompletableFuture<Boolean> second =
        new CompletableFuture<>(); // waits behind the first, as bulk
    owner[0] =
        start(
            () ->
                second.complete(
                    turns.take(throwsOnceFromElsewhere, () -> false, null, leave::get)));
    await().atMost(LONG).until(() -> owner[0].getState() == Thread.State.TIMED_WAITING);

    armed.set(true); // the first looks whose turn it is, which throws, and leaves
    await().atMost(LONG).until(first::isDone);
    assertThat(thrown).isTrue();
    armed.set(false);

    CompletableFuture<Boolean> third =
        waiter(turns, () -> JobClass.TRANSACTIONAL, () -> true, () -> false);
    assertThat(third.get(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
    leave.set(true);
    assertThat(second.get(LONG.toSeconds(), TimeUnit.SECONDS)).isFalse();
  }

  private static CompletableFuture<Boolean> waiter(
      ClassTurns turns,
      Supplier<JobClass> c,
      java.util.function.BooleanSupplier tryTake,
      java.util.function.BooleanSupplier giveUp) {
    CompletableFuture<Boolean> f = new CompletableFuture<>();
    start(
        () -> {
          try {
            f.complete(turns.take(c, tryTake, Duration.ofMillis(1), giveUp));
          } catch (RuntimeException e) {
            f.completeExceptionally(e);
          }
        });
    return f;
  }

  private interface Body {
    void run() throws Exception;
  }

  private static Thread start(Body body) {
    Thread t =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    t.setDaemon(true);
    t.start();
    return t;
  }
}
