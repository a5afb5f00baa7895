package dev.postbus.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.job.JobClass;
import jakarta.mail.Address;
import jakarta.mail.internet.InternetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * {@code smtp.domain-concurrency} waits: a send to several capped domains takes their places in
 * order and gets through however busy they are, a waiter can give up (its lane stops, or its
 * partition is let go), and within a class the places go first come first served.
 */
class DomainGateWaitTest {

  private static final Address[] A = {address("x@a.com")};
  private static final Address[] B = {address("y@b.com")};
  private static final Address[] BOTH = {address("x@a.com"), address("y@b.com")};
  private static final Duration LONG = Duration.ofSeconds(10);

  /**
   * A bulk send to a.com and b.com keeps a.com's place while it waits at b.com; a transactional
   * send waiting for a.com raises it, so even with no floor (bulk could wait at b.com for ever
   * behind transactional mail) it gets b.com's next place, sends, and gives a.com back.
   */
  @Test
  void aBulkSendHoldingAPlaceATransactionalSendWaitsForIsServedAtTheNextDomainFirst()
      throws Exception {
    DomainGate gate = new DomainGate(Map.of("a.com", 1, "b.com", 1), 0);
    DomainGate.Pass atB = gate.enter(B, JobClass.TRANSACTIONAL);
    CompletableFuture<DomainGate.Pass> bulk = enter(gate, BOTH, JobClass.BULK, () -> false);
    CompletableFuture<DomainGate.Pass> transactionalB =
        enter(gate, B, JobClass.TRANSACTIONAL, () -> false);
    CompletableFuture<DomainGate.Pass> transactionalA =
        enter(gate, A, JobClass.TRANSACTIONAL, () -> false);
    atB.close();
    DomainGate.Pass both = bulk.get(LONG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    assertThat(transactionalB).as("b.com's place went to the raised bulk send").isNotDone();
    both.close();
    transactionalA.get(LONG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).close();
    transactionalB.get(LONG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).close();
  }

  /**
   * Both domains always have a waiter (two lanes per domain taking and giving back its place): a
   * send to both still gets through (it keeps a.com's place while it waits its turn at b.com).
   */
  @Test
  void aSendToTwoBusyDomainsGetsThrough() throws Exception {
    DomainGate gate = new DomainGate(Map.of("a.com", 1, "b.com", 1), 0.1);
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> hogs = new ArrayList<>();
    for (Address[] to : List.of(A, A, B, B)) {
      Thread t =
          new Thread(
              () -> {
                try {
                  while (!stop.get()) {
                    DomainGate.Pass p = gate.enter(to, JobClass.TRANSACTIONAL, stop::get);
                    if (p != null) {
                      LockSupport.parkNanos(200_000); // a brief send
                      p.close();
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      t.setDaemon(true);
      t.start();
      hogs.add(t);
    }
    try {
      CompletableFuture<DomainGate.Pass> both =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return gate.enter(BOTH, JobClass.TRANSACTIONAL, stop::get);
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      DomainGate.Pass pass = both.get(LONG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      assertThat(pass).isNotNull();
      pass.close();
    } finally {
      stop.set(true);
      for (Thread t : hogs) {
        t.join(LONG.toMillis());
      }
    }
  }

  @Test
  void aWaitingSendGivesUpWhenItsLaneSaysSo() throws Exception {
    DomainGate gate = new DomainGate(Map.of("a.com", 1), 0);
    DomainGate.Pass held = gate.enter(A, JobClass.TRANSACTIONAL);
    AtomicBoolean leaving = new AtomicBoolean();
    CompletableFuture<DomainGate.Pass> bulk = enter(gate, A, JobClass.BULK, leaving::get);
    CompletableFuture<DomainGate.Pass> keeps = enter(gate, A, JobClass.TRANSACTIONAL, () -> false);
    leaving.set(true); // the partition is let go
    assertThat(bulk.get(LONG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
        .as("given up")
        .isNull();
    held.close();
    keeps.get(LONG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).close();
  }

  @Test
  void aSendToTwoDomainsThatGivesUpGivesBackEveryPlaceOnce() throws Exception {
    DomainGate gate = new DomainGate(Map.of("a.com", 2, "b.com", 1), 0);
    DomainGate.Pass atA = gate.enter(A, JobClass.TRANSACTIONAL);
    DomainGate.Pass atB = gate.enter(B, JobClass.TRANSACTIONAL);
    AtomicBoolean leaving = new AtomicBoolean();
    // takes a.com's second place, waits at b.com
    CompletableFuture<DomainGate.Pass> both = enter(gate, BOTH, JobClass.BULK, leaving::get);
    leaving.set(true);
    assertThat(both.get(LONG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isNull();
    atB.close();
    // a.com: one place held (atA), one free again; b.com: one free
    DomainGate.Pass second = gate.enter(A, JobClass.TRANSACTIONAL, () -> true);
    assertThat(second).as("a.com's second place was given back").isNotNull();
    assertThat(gate.enter(A, JobClass.TRANSACTIONAL, () -> true))
        .as("and only once: a.com has two places")
        .isNull();
    DomainGate.Pass b = gate.enter(B, JobClass.TRANSACTIONAL, () -> true);
    assertThat(b).as("b.com's place is free").isNotNull();
    assertThat(gate.enter(B, JobClass.TRANSACTIONAL, () -> true)).isNull();
    b.close();
    second.close();
    atA.close();
  }

  @Test
  void aLaneThatGivesBackItsPlaceAndComesAgainQueuesBehindTheOneWaiting() throws Exception {
    DomainGate gate = new DomainGate(Map.of("a.com", 1), 0.1);
    DomainGate.Pass mine = gate.enter(A, JobClass.TRANSACTIONAL);
    CompletableFuture<DomainGate.Pass> w1 = enter(gate, A, JobClass.TRANSACTIONAL, () -> false);
    mine.close();
    DomainGate.Pass again = gate.enter(A, JobClass.TRANSACTIONAL, w1::isDone);
    assertThat(again).as("the lane that came again did not overtake the one waiting").isNull();
    w1.get(LONG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).close();
  }

  /** Enters on a thread of its own; returns once that thread waits in the gate. */
  private static CompletableFuture<DomainGate.Pass> enter(
      DomainGate gate, Address[] to, JobClass c, java.util.function.BooleanSupplier giveUp) {
    CompletableFuture<DomainGate.Pass> pass = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                pass.complete(gate.enter(to, c, giveUp));
              } catch (Throwable e) {
                pass.completeExceptionally(e);
              }
            });
    t.setDaemon(true);
    t.start();
    await()
        .atMost(LONG)
        .until(
            () ->
                pass.isDone()
                    || t.getState() == Thread.State.WAITING
                    || t.getState() == Thread.State.TIMED_WAITING);
    return pass;
  }

  private static Address address(String a) {
    try {
      return new InternetAddress(a);
    } catch (jakarta.mail.internet.AddressException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
