package dev.postbus.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.job.JobClass;
import jakarta.mail.Address;
import jakarta.mail.internet.InternetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * {@code smtp.domain-concurrency} waits: a send to several capped domains holds no place while it
 * waits for another, a waiter can give up (its lane stops, or its partition is let go), and within
 * a class the places go first come first served.
 */
class DomainGateWaitTest {

  private static final Address[] A = {address("x@a.com")};
  private static final Address[] B = {address("y@b.com")};
  private static final Address[] BOTH = {address("x@a.com"), address("y@b.com")};
  private static final Duration LONG = Duration.ofSeconds(10);

  @Test
  void aBulkSendWaitingAtOneDomainHoldsNoPlaceAtAnother() throws Exception {
    DomainGate gate = new DomainGate(Map.of("a.com", 1, "b.com", 1), 0);
    DomainGate.Pass atB = gate.enter(B, JobClass.TRANSACTIONAL);
    CompletableFuture<DomainGate.Pass> bulk = enter(gate, BOTH, JobClass.BULK, () -> false);
    // a second lane keeps a transactional send waiting at b.com: bulk never gets its turn there
    CompletableFuture<DomainGate.Pass> transactionalB =
        enter(gate, B, JobClass.TRANSACTIONAL, () -> false);
    CompletableFuture<DomainGate.Pass> transactionalA =
        enter(gate, A, JobClass.TRANSACTIONAL, () -> false);
    DomainGate.Pass a = transactionalA.get(LONG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    assertThat(a).as("transactional mail to a.com gets a.com's place").isNotNull();
    a.close();
    atB.close();
    transactionalB.get(LONG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).close();
    bulk.get(LONG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).close();
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
    DomainGate gate = new DomainGate(Map.of("a.com", 1, "b.com", 2), 0);
    DomainGate.Pass atB = gate.enter(B, JobClass.TRANSACTIONAL);
    DomainGate.Pass atA = gate.enter(A, JobClass.TRANSACTIONAL);
    AtomicBoolean leaving = new AtomicBoolean();
    // takes b.com's second place, waits at a.com
    CompletableFuture<DomainGate.Pass> both = enter(gate, BOTH, JobClass.BULK, leaving::get);
    leaving.set(true);
    assertThat(both.get(LONG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isNull();
    atA.close();
    // b.com: one place held (atB), one free again; a.com: one free
    DomainGate.Pass second = gate.enter(B, JobClass.TRANSACTIONAL, () -> true);
    assertThat(second).as("b.com's second place was given back").isNotNull();
    assertThat(gate.enter(B, JobClass.TRANSACTIONAL, () -> true))
        .as("and only once: b.com has two places")
        .isNull();
    DomainGate.Pass a = gate.enter(A, JobClass.TRANSACTIONAL, () -> true);
    assertThat(a).as("a.com's place is free").isNotNull();
    assertThat(gate.enter(A, JobClass.TRANSACTIONAL, () -> true)).isNull();
    a.close();
    second.close();
    atB.close();
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
