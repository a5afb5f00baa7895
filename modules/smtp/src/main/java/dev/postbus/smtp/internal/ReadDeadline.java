package dev.postbus.smtp.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Socket;

/**
 * The deadline of one blocking read of a TLS session (or of a session's writes, {@link SessionIo},
 * or of a TLS handshake), kept by the {@link WriteWatchdog}: when it passes, the raw TCP socket is
 * closed, which ends a read of the TLS stream however slowly its record comes. Socket read timeouts
 * cannot do it: the JDK reads a record in a loop of socket reads, each with the full timeout.
 *
 * <p>Exactly one of the two ends wins, by a compare-and-set: the read's ({@link #disarm}) or the
 * deadline's ({@link #timedOut}). Once the read ended in time, a watchdog late by a tick closes
 * nothing; once the deadline won, it stays won (arming never replaces it). The owner arms and
 * disarms it on its own thread; it stays watched between reads (the watchdog never drops it, {@link
 * #leavesOnTimeout}).
 */
final class ReadDeadline implements WriteWatchdog.Watched {

  private static final long IDLE = 0;
  private static final long EXPIRED = 2; // even: never an armed deadline (always odd)
  private static final VarHandle DEADLINE;

  static {
    try {
      DEADLINE = MethodHandles.lookup().findVarHandle(ReadDeadline.class, "deadline", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Socket raw;
  private volatile long deadline; // IDLE, EXPIRED, or the armed deadline (odd)

  ReadDeadline(Socket raw) {
    this.raw = raw;
  }

  /**
   * The read under way must end by {@code nanos} ({@link System#nanoTime}): one compare-and-set. A
   * deadline that won stays won: the raw socket is closed, and a read served from the TLS socket's
   * buffer must not make the session look whole ({@link #expired} stays true).
   */
  void arm(long nanos) {
    long was = deadline; // idle, or still armed (a write re-armed, a read that threw past disarm)
    if (was != EXPIRED) {
      DEADLINE.compareAndSet(this, was, nanos | 1); // fails only if its deadline just won
    }
  }

  /**
   * The read ended: whether in time (one compare-and-set). False: the deadline won, the raw socket
   * is closed (or being closed) and the session cannot go on.
   */
  boolean disarm() {
    long d = deadline;
    return (d & 1) != 0 && DEADLINE.compareAndSet(this, d, IDLE);
  }

  /** Whether the deadline won: the raw socket is closed. */
  boolean expired() {
    return deadline == EXPIRED;
  }

  @Override
  public long deadline() {
    long d = deadline;
    return (d & 1) != 0 ? d : 0;
  }

  @Override
  public boolean leavesOnTimeout() {
    return false;
  }

  /** On the watchdog's thread: closes the raw socket, unless the read ended (or was re-armed). */
  @Override
  public void timedOut() {
    long d = deadline;
    if ((d & 1) != 0 && System.nanoTime() - d > 0 && DEADLINE.compareAndSet(this, d, EXPIRED)) {
      try {
        raw.close();
      } catch (IOException e) {
        // nothing more to do
      }
    }
  }
}
