package dev.postbus.smtp.internal;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a session stands between messages. {@link #READY}: the next envelope starts with MAIL;
 * {@link #RESET_PENDING}: the last transaction failed and the next group starts with RSET; {@link
 * #ENVELOPE_AHEAD}: the next message's MAIL, RCPTs and DATA were written after the last message's
 * end and their replies are waiting; {@link #CLOSED}: broken, 421 or closed, never used again.
 */
enum SessionState {
  READY,
  RESET_PENDING,
  ENVELOPE_AHEAD,
  CLOSED;

  private Set<SessionState> next;

  static {
    READY.next = EnumSet.of(READY, RESET_PENDING, ENVELOPE_AHEAD, CLOSED);
    RESET_PENDING.next = EnumSet.of(READY, RESET_PENDING, ENVELOPE_AHEAD, CLOSED);
    ENVELOPE_AHEAD.next = EnumSet.of(READY, RESET_PENDING, ENVELOPE_AHEAD, CLOSED);
    CLOSED.next = EnumSet.of(CLOSED);
  }

  SessionState moveTo(SessionState target) {
    if (!next.contains(target)) {
      throw new IllegalStateException("session cannot go from " + this + " to " + target);
    }
    return target;
  }
}
