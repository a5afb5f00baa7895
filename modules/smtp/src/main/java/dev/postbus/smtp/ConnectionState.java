package dev.postbus.smtp;

import java.util.EnumSet;
import java.util.Set;

/**
 * The lifecycle of one {@link SmtpConnection}; legal transitions are written here and nowhere else.
 */
public enum ConnectionState {
  DISCONNECTED,
  CONNECTING,
  IDLE,
  SENDING,
  CLOSED;

  private Set<ConnectionState> next;

  static {
    DISCONNECTED.next = EnumSet.of(CONNECTING, CLOSED);
    CONNECTING.next = EnumSet.of(IDLE, DISCONNECTED, CLOSED);
    IDLE.next = EnumSet.of(SENDING, DISCONNECTED, CLOSED);
    SENDING.next = EnumSet.of(IDLE, DISCONNECTED, CLOSED);
    CLOSED.next = EnumSet.noneOf(ConnectionState.class);
  }

  public boolean canMoveTo(ConnectionState target) {
    return next.contains(target);
  }

  /** Returns {@code target}, or throws naming both states. */
  public ConnectionState moveTo(ConnectionState target) {
    if (!canMoveTo(target)) {
      throw new IllegalStateException("illegal connection transition " + this + " -> " + target);
    }
    return target;
  }
}
