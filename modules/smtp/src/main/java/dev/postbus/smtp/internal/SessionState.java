package dev.postbus.smtp.internal;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a session stands between messages. {@link #READY}: the next envelope starts with MAIL;
 * {@link #RESET_PENDING}: the last transaction failed and the next group starts with RSET; {@link
 * #ENVELOPE_AHEAD}: the next message's MAIL, RCPTs and DATA were written after the last message's
 * end and their replies are waiting; {@link #CLOSED}: broken, 421 or closed, never used again.
 *
 * <p>Only the moves the session makes are legal: READY to any state (itself after a message,
 * RESET_PENDING after a failed transaction, ENVELOPE_AHEAD after a message's end); RESET_PENDING
 * and ENVELOPE_AHEAD back to READY as the next group starts; any state to CLOSED (CLOSED to itself:
 * closing twice is harmless). Anything else is a bug, an {@link IllegalStateException} naming both.
 */
enum SessionState {
  READY,
  RESET_PENDING,
  ENVELOPE_AHEAD,
  CLOSED;

  private Set<SessionState> next;

  static {
    READY.next = EnumSet.of(READY, RESET_PENDING, ENVELOPE_AHEAD, CLOSED);
    RESET_PENDING.next = EnumSet.of(READY, CLOSED); // the next group starts with RSET
    ENVELOPE_AHEAD.next = EnumSet.of(READY, CLOSED); // the next send reads the replies ahead
    CLOSED.next = EnumSet.of(CLOSED);
  }

  SessionState moveTo(SessionState target) {
    if (!next.contains(target)) {
      throw new IllegalStateException("session cannot go from " + this + " to " + target);
    }
    return target;
  }
}
