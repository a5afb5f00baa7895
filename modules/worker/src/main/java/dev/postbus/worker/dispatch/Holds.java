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
    KAFKA_LOST
  }

  private final EnumSet<Reason> on = EnumSet.noneOf(Reason.class);
  private volatile boolean held;

  /** Turns one hold on or off; returns whether delivery as a whole changed (held or not). */
  public synchronized boolean set(Reason reason, boolean active) {
    boolean was = held;
    if (active) {
      on.add(reason);
    } else {
      on.remove(reason);
    }
    held = !on.isEmpty();
    return was != held;
  }

  /** True while any hold is on. */
  public boolean held() {
    return held;
  }

  public synchronized boolean has(Reason reason) {
    return on.contains(reason);
  }

  public synchronized Set<Reason> reasons() {
    return on.isEmpty() ? Set.of() : Set.copyOf(on);
  }
}
