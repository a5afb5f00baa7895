package dev.postbus.worker.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.job.JobClass;
import dev.postbus.worker.delivery.DomainGate;
import jakarta.mail.Address;
import jakarta.mail.internet.InternetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Waiting for rate permits: lanes are woken about once per permit, not polling the pacer all
 * together; and a bulk send holding a domain's place a transactional send waits for takes its
 * permit at transactional priority. Permits are handed out by hand.
 */
class SendRateTurnsTest {

  private static final Duration LONG = Duration.ofSeconds(10);

  @Test
  void manyWaitingLanesLookAtThePacerAboutOncePerPermit() throws Exception {
    CountingPacer pacer = new CountingPacer();
    SendRate rate = new SendRate(0, 100, System::nanoTime, r -> pacer, 0.1);
    int lanes = 32;
    int each = 3;
    AtomicInteger got = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < lanes; i++) {
      JobClass c = i % 2 == 0 ? JobClass.TRANSACTIONAL : JobClass.BULK;
      Thread t =
          new Thread(
              () -> {
                try {
                  for (int k = 0; k < each && rate.acquire(c, stop::get); k++) {
                    got.incrementAndGet();
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    int permits = lanes * each;
    for (int p = 1; p <= permits; p++) {
      pacer.give(1);
      int want = p;
      await().atMost(LONG).pollInterval(Duration.ofMillis(1)).until(() -> got.get() >= want);
    }
    stop.set(true);
    for (Thread t : threads) {
      t.join(LONG.toMillis());
    }
    assertThat(pacer.asked.get())
        .as("the pacer was asked about once per permit, not by every lane in turn")
        .isLessThan(3 * (permits + lanes));
  }

  @Test
  void aBulkSendHoldingADomainPlaceATransactionalSendWaitsForTakesItsPermitFirst()
      throws Exception {
    CountingPacer pacer = new CountingPacer();
    SendRate rate = new SendRate(0, 10, System::nanoTime, r -> pacer, 0.1);
    DomainGate gate = new DomainGate(Map.of("example.com", 1), 0.1);
    Address[] to = {new InternetAddress("x@example.com")};
    Address[] elsewhere = {new InternetAddress("y@elsewhere.org")};

    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Boolean> bulkSent = new CompletableFuture<>();
    Thread bulk =
        start(
            () -> {
              DomainGate.Pass pass = gate.enter(to, JobClass.BULK, stop::get);
              try (pass) {
                bulkSent.complete(
                    rate.acquire(
                        () -> pass.contended() ? JobClass.TRANSACTIONAL : JobClass.BULK,
                        stop::get));
              }
            });
    await().atMost(LONG).until(() -> pacer.askers.contains(bulk.getName()));
    AtomicInteger otherSent = new AtomicInteger();
    Thread other =
        start(
            () -> {
              while (!stop.get()) {
                DomainGate.Pass pass = gate.enter(elsewhere, JobClass.TRANSACTIONAL, stop::get);
                try (pass) {
                  if (rate.acquire(JobClass.TRANSACTIONAL, stop::get)) {
                    otherSent.incrementAndGet();
                  }
                }
              }
            });
    await().atMost(LONG).until(() -> waiting(other));
    CompletableFuture<DomainGate.Pass> transactional = new CompletableFuture<>();
    Thread waiter =
        start(() -> transactional.complete(gate.enter(to, JobClass.TRANSACTIONAL, stop::get)));
    await().atMost(LONG).until(() -> waiting(waiter));

    for (int p = 1; p <= 2 && !transactional.isDone(); p++) {
      pacer.give(1);
      await()
          .atMost(LONG)
          .until(() -> pacer.permits.get() == 0 && (bulkSent.isDone() || otherSent.get() > 0));
      await().atMost(Duration.ofSeconds(1)).until(() -> transactional.isDone() || waiting(waiter));
    }
    try {
      DomainGate.Pass pass = transactional.get(LONG.toSeconds(), TimeUnit.SECONDS);
      assertThat(pass).isNotNull();
      assertThat(otherSent.get())
          .as("the bulk send in the transactional one's way took the first permit")
          .isZero();
      pass.close();
    } finally {
      stop.set(true);
      pacer.give(1000);
    }
  }

  /**
   * A send's permit is reported under the class it was granted in, not the one it has just after (a
   * transactional send that comes to wait at its domain meanwhile raises it): its wait is filed
   * under that class.
   */
  @Test
  void aPermitIsReportedUnderTheClassItWasGrantedIn() throws Exception {
    java.util.concurrent.atomic.AtomicReference<JobClass> now =
        new java.util.concurrent.atomic.AtomicReference<>(JobClass.BULK);
    Pacer raisedRightAfter =
        new Pacer() {
          @Override
          public boolean tryAcquire() {
            now.set(JobClass.TRANSACTIONAL);
            return true;
          }

          @Override
          public void setRate(double perSecond) {}
        };
    SendRate rate = new SendRate(0, 10, System::nanoTime, r -> raisedRightAfter, 0.1);
    assertThat(rate.acquireGranted(now::get, () -> false)).isEqualTo(JobClass.BULK);
    SendRate unlimited = new SendRate(0, 0, System::nanoTime, r -> raisedRightAfter, 0.1);
    now.set(JobClass.BULK);
    assertThat(unlimited.acquireGranted(now::get, () -> false)).isEqualTo(JobClass.BULK);
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

  private static boolean waiting(Thread t) {
    return t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING;
  }

  /** Permits given by the test; counts how often it was asked, and by whom. */
  private static final class CountingPacer implements Pacer {
    final AtomicInteger permits = new AtomicInteger();
    final AtomicInteger asked = new AtomicInteger();
    final java.util.Set<String> askers = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public boolean tryAcquire() {
      asked.incrementAndGet();
      askers.add(Thread.currentThread().getName());
      return permits.getAndUpdate(p -> p > 0 ? p - 1 : 0) > 0;
    }

    @Override
    public void setRate(double perSecond) {}

    void give(int n) {
      permits.addAndGet(n);
    }
  }
}
