package dev.postbus.worker.dispatch;

import java.util.EnumSet;
import java.util.Set;

/**
 * Why delivery is held now: the one flag every lane and the consumer read before they start work. A
 * lane starts no SMTP transaction while any hold is on; the consumer pauses every partition. Each
 * hold is set and cleared by whoever owns its cause (the worker's health state), under this
 * object's monitor; readers on other threads see {@link #held} without a lock.
 */
public final class Holds {

  /** The causes of a hold. */
  public enum Reason {
    /** Every relay is out. */
    RELAYS_OUT,
    /** The bounce-rate guard tripped. */
    BOUNCE_GUARD,
    /** Kafka is lost: no retry, event or ledger record could be written. */
    KAFKA_LOST,
    /** The send ledger's writer stopped: no send could be recorded (until a restart). */
    LEDGER_LOST
  }

  private final EnumSet<Reason> on = EnumSet.noneOf(Reason.class);
  private volatile boolean held;
  private volatile boolean lanesHeld;
  private volatile java.util.function.Supplier<java.time.Duration> kafkaSilence =
      () -> java.time.Duration.ZERO;

  /** Where to read how long Kafka has not answered (set once at start-up). */
  public void watchKafkaSilence(java.util.function.Supplier<java.time.Duration> silence) {
    this.kafkaSilence = silence;
  }

  /**
   * How long Kafka has not answered, whether or not {@link Reason#KAFKA_LOST} is declared yet; zero
   * when unknown.
   */
  public java.time.Duration kafkaSilence() {
    return kafkaSilence.get();
  }

  /** Turns one hold on or off; returns whether delivery as a whole changed (held or not). */
  public synchronized boolean set(Reason reason, boolean active) {
    boolean was = held;
    if (active) {
      on.add(reason);
    } else {
      on.remove(reason);
    }
    held = !on.isEmpty();
    lanesHeld =
        on.contains(Reason.BOUNCE_GUARD)
            || on.contains(Reason.KAFKA_LOST)
            || on.contains(Reason.LEDGER_LOST);
    return was != held;
  }

  /** True while any hold is on: the consumer pauses every partition. */
  public boolean held() {
    return held;
  }

  /**
   * True while lanes may start no SMTP transaction (the guard, Kafka lost, the ledger's writer
   * stopped). Not while every relay is out: then a lane still takes a job to probe a relay whose
   * backoff has ended, and the others wait in {@code Relays.pick}.
   */
  public boolean lanesHeld() {
    return lanesHeld;
  }

  public synchronized boolean has(Reason reason) {
    return on.contains(reason);
  }

  public synchronized Set<Reason> reasons() {
    return on.isEmpty() ? Set.of() : Set.copyOf(on);
  }
}
