package dev.postbus.worker.relay;

import java.util.EnumSet;
import java.util.Set;

/**
 * The lifecycle of one relay as a worker sees it; legal transitions are written here and nowhere
 * else.
 */
public enum RelayState {
  /** Jobs may go to it. */
  UP,
  /**
   * Taken out after a relay-level failure (unreachable, TLS, authentication) until its backoff
   * ends.
   */
  OUT,
  /** Its backoff ended and one lane is trying it with one job; the others still treat it as out. */
  PROBING;

  private Set<RelayState> next;

  static {
    UP.next = EnumSet.of(OUT);
    OUT.next = EnumSet.of(PROBING, UP);
    PROBING.next = EnumSet.of(UP, OUT);
  }

  /** Returns {@code target}, or throws naming both states. */
  public RelayState moveTo(RelayState target) {
    if (!next.contains(target)) {
      throw new IllegalStateException("illegal relay transition " + this + " -> " + target);
    }
    return target;
  }
}
