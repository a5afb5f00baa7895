package dev.postbus.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.job.JobClass;
import jakarta.mail.Address;
import jakarta.mail.internet.InternetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code smtp.domain-concurrency}: when a capped domain's slots are all held, a waiting
 * transactional send gets the next free one before the bulk sends waiting with it; bulk still gets
 * {@code classes.bulk-floor} of the slots while both wait.
 */
class DomainGateClassesTest {

  private static final Address[] TO = {address("someone@example.com")};

  @Test
  void aWaitingTransactionalSendGetsTheNextDomainSlotBeforeAnEarlierBulkSend() throws Exception {
    DomainGate gate = new DomainGate(Map.of("example.com", 1), 0.1);
    DomainGate.Pass held = gate.enter(TO, JobClass.BULK);
    Lane bulk = Lane.waiting(gate, JobClass.BULK);
    Lane transactional = Lane.waiting(gate, JobClass.TRANSACTIONAL);

    held.close();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> transactional.pass() != null || bulk.pass() != null);
    assertThat(bulk.pass()).as("the bulk send, waiting first, still waits").isNull();
    assertThat(transactional.pass()).as("the transactional send has the slot").isNotNull();

    transactional.pass().close();
    await().atMost(Duration.ofSeconds(10)).until(() -> bulk.pass() != null);
    bulk.pass().close();
  }

  @Test
  void whileBothWaitBulkStillGetsItsFloorOfTheSlots() throws Exception {
    DomainGate gate = new DomainGate(Map.of("example.com", 1), 0.5);
    DomainGate.Pass held = gate.enter(TO, JobClass.TRANSACTIONAL);
    Lane bulk = Lane.waiting(gate, JobClass.BULK);
    Lane first = Lane.waiting(gate, JobClass.TRANSACTIONAL);
    held.close(); // both wait: the first such slot goes to transactional mail (⌊1 × 0.5⌋ = 0)
    await().atMost(Duration.ofSeconds(10)).until(() -> first.pass() != null);
    Lane second = Lane.waiting(gate, JobClass.TRANSACTIONAL);
    first.pass().close(); // both wait again: now bulk's turn (⌊2 × 0.5⌋ = 1)
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> bulk.pass() != null || second.pass() != null);
    assertThat(second.pass()).isNull();
    bulk.pass().close();
    await().atMost(Duration.ofSeconds(10)).until(() -> second.pass() != null);
    second.pass().close();
  }

  private static Address address(String a) {
    try {
      return new InternetAddress(a);
    } catch (jakarta.mail.internet.AddressException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** A lane entering the gate for a job of its class. */
  private static final class Lane extends Thread {
    private final DomainGate gate;
    private final JobClass jobClass;
    private final AtomicReference<DomainGate.Pass> pass = new AtomicReference<>();

    private Lane(DomainGate gate, JobClass jobClass) {
      super("lane-" + jobClass);
      this.gate = gate;
      this.jobClass = jobClass;
      setDaemon(true);
    }

    /** Started, and waiting in the gate. */
    static Lane waiting(DomainGate gate, JobClass jobClass) {
      Lane lane = new Lane(gate, jobClass);
      lane.start();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  lane.getState() == Thread.State.WAITING
                      || lane.getState() == Thread.State.TIMED_WAITING);
      return lane;
    }

    @Override
    public void run() {
      try {
        pass.set(gate.enter(TO, jobClass));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    DomainGate.Pass pass() {
      return pass.get();
    }
  }
}
