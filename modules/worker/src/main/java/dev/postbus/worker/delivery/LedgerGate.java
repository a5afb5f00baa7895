package dev.postbus.worker.delivery;

import dev.postbus.worker.dispatch.Holds;
import dev.postbus.worker.outcome.OutcomeBatch;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane's gate before each final dot: the send ledger must hold the lane's previous attempt
 * first, so that at most one message per lane is ever accepted by a relay without being recorded.
 * Nothing the lane writes overlaps the ledger's round trip: the gate runs before the message is
 * written (after the 354, or before the BDAT group), and with PIPELINING the next envelope went out
 * with the previous dot. Only the lane's own work since the relay's last answer (recording it,
 * encoding the next message) does, so about one Kafka round trip is added to each message
 * (postbus_ledger_wait_seconds shows it). It waits {@link #LEDGER_WAIT} and then goes on (saying
 * so), except while Kafka is lost or has not answered for longer than that wait (before {@code
 * worker.kafka-lost-after} declares it lost): then it waits until Kafka is back (and {@link
 * #LEDGER_WAIT} more), as no record could be written. Once the ledger's writer is lost ({@code
 * LEDGER_LOST}: no entry will be written again) it lets no final dot go: it throws {@link
 * DotWithheld}, the connection is dropped before the dot (the relay cannot have accepted the
 * message) and the lane holds the job like any other held one.
 */
final class LedgerGate implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(SenderLane.class);
  private static final Duration LEDGER_WAIT = Duration.ofSeconds(10);
  private static final Duration SLICE = Duration.ofMillis(250);

  private final String name;
  private final Holds holds;
  private final BooleanSupplier stopping;
  private final Duration wait;
  private final Runnable entryComing;
  private final java.util.function.LongConsumer waited;

  /** The last attempt the lane recorded, until its ledger entry is safe; on the lane's thread. */
  private OutcomeBatch previous;

  /**
   * @param entryComing told as the gate opens (the lane's message is about to end): its ledger
   *     entry is coming, so the writer may hold the entries it has for it
   * @param waited told how long each final dot after a recorded attempt was held, in nanoseconds
   */
  LedgerGate(
      String name,
      Holds holds,
      BooleanSupplier stopping,
      Runnable entryComing,
      java.util.function.LongConsumer waited) {
    this(name, holds, stopping, LEDGER_WAIT, entryComing, waited);
  }

  /** With another wait than {@link #LEDGER_WAIT} (tests). */
  LedgerGate(
      String name,
      Holds holds,
      BooleanSupplier stopping,
      Duration wait,
      Runnable entryComing,
      java.util.function.LongConsumer waited) {
    this.name = name;
    this.holds = holds;
    this.stopping = stopping;
    this.wait = wait;
    this.entryComing = entryComing;
    this.waited = waited;
  }

  /**
   * The final dot was not sent: the send ledger's writer is lost. The message cannot have been
   * accepted, so the job is not in doubt.
   */
  static final class DotWithheld extends RuntimeException {
    DotWithheld(String message) {
      super(message, null, false, false);
    }
  }

  /** The lane recorded an attempt: the next final dot waits for its ledger entry. */
  void after(OutcomeBatch batch) {
    previous = batch;
  }

  /**
   * Waits until the send ledger holds the previous attempt. Called on this lane's thread just
   * before the message is written, so that at most one message per lane can be accepted by the
   * relay without being in the ledger.
   */
  @Override
  public void run() {
    requireLedger();
    awaitPrevious();
    entryComing.run();
  }

  private void awaitPrevious() {
    OutcomeBatch p = previous;
    if (p == null || !p.writesLedger()) {
      previous = null;
      return;
    }
    long start = System.nanoTime();
    try {
      if (!awaitUnlessLedgerLost(p, wait) && !awaitWhileKafkaLost(p)) {
        log.warn(
            "{}: ledger entry for {} not acknowledged within {}; going on (a crash now could send"
                + " it twice)",
            name,
            p.delivery(),
            wait);
      }
      previous = null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      waited.accept(System.nanoTime() - start); // also a wait that ended in DotWithheld
    }
  }

  /** Waits up to {@code max} for the entry; true when written. */
  private boolean awaitUnlessLedgerLost(OutcomeBatch p, Duration max) throws InterruptedException {
    long until = System.nanoTime() + max.toNanos();
    while (true) {
      requireLedger();
      long left = until - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      if (p.awaitLedger(Duration.ofNanos(Math.min(left, SLICE.toNanos())))) {
        return true;
      }
    }
  }

  /** Throws {@link DotWithheld} once the ledger's writer is lost: no entry is written again. */
  private void requireLedger() {
    if (holds.has(Holds.Reason.LEDGER_LOST)) {
      throw new DotWithheld(
          name + ": the send ledger's writer is lost; the final dot is withheld (not sent)");
    }
  }

  /**
   * After the first wait: waits on while Kafka is lost or has not answered for longer than that
   * wait (no record could be written), and the wait more once it is back. True when the entry was
   * written meanwhile; false when the lane stops or Kafka answers and the entry still is not.
   */
  private boolean awaitWhileKafkaLost(OutcomeBatch p) throws InterruptedException {
    boolean said = false;
    long until = System.nanoTime(); // while Kafka is lost, and the wait more once it is back
    while (!stopping.getAsBoolean()) {
      requireLedger();
      if (holds.has(Holds.Reason.KAFKA_LOST)
          || holds.kafkaSilence().compareTo(wait) >= 0) { // lost, or not yet declared so
        until = System.nanoTime() + wait.toNanos();
        if (!said) {
          log.warn(
              "{}: ledger entry for {} not acknowledged and Kafka is lost; the next message"
                  + " waits before its final dot until Kafka is back",
              name,
              p.delivery());
          said = true;
        }
      } else if (System.nanoTime() - until >= 0) {
        return false;
      }
      if (p.awaitLedger(SLICE)) {
        return true;
      }
    }
    return false;
  }
}
