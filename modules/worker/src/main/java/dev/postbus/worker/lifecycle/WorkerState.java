package dev.postbus.worker.lifecycle;

import java.util.EnumSet;
import java.util.Set;

/** The worker's lifecycle; legal transitions are written here and nowhere else. */
public enum WorkerState {
  /** Creating topics, connecting to Kafka. */
  STARTING,
  /** Consuming and delivering. */
  RUNNING,
  /**
   * The relay refuses us (unreachable, authentication, TLS): lanes hold their jobs and probe with
   * backoff.
   */
  PAUSED,
  /** Shutting down: no new work; in-flight sends finish, offsets are committed. */
  DRAINING,
  STOPPED;

  private Set<WorkerState> next;

  static {
    STARTING.next = EnumSet.of(RUNNING, DRAINING, STOPPED);
    RUNNING.next = EnumSet.of(PAUSED, DRAINING);
    PAUSED.next = EnumSet.of(RUNNING, DRAINING);
    DRAINING.next = EnumSet.of(STOPPED);
    STOPPED.next = EnumSet.noneOf(WorkerState.class);
  }

  public boolean canMoveTo(WorkerState target) {
    return next.contains(target);
  }

  public WorkerState moveTo(WorkerState target) {
    if (!canMoveTo(target)) {
      throw new IllegalStateException("illegal worker transition " + this + " -> " + target);
    }
    return target;
  }

  /** Ready to take work (the readiness probe's answer). */
  public boolean ready() {
    return this == RUNNING;
  }
}
