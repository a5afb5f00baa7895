package dev.postbus.smtp.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.LoggerFactory;

/**
 * The write timeout. A blocking socket write has none of its own, so a session arms a deadline
 * before it writes and disarms it after; one daemon thread for the whole JVM closes the socket of a
 * session whose deadline has passed (its raw TCP socket, also under TLS), which makes the stuck
 * write throw. Arming is a volatile write: nothing is allocated per message. A TLS handshake and
 * each reply of a TLS session are bounded the same way ({@link ReadDeadline}): their reads have the
 * socket's read timeout, but nothing else bounds the whole of them.
 */
final class WriteWatchdog {

  /** How often the deadlines are checked: a write times out at most this much late. */
  static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  interface Watched {
    /** {@link System#nanoTime()} by which the current write must finish; 0 when not writing. */
    long deadline();

    /** The deadline passed: close the raw socket (on the watchdog's thread). */
    void timedOut();

    /**
     * Whether the watchdog ends the watch when the deadline passes (the default); if not, the owner
     * ends it, and {@link #timedOut} is called at each tick the deadline shows passed.
     */
    default boolean leavesOnTimeout() {
      return true;
    }
  }

  private static final Set<Watched> WATCHED = ConcurrentHashMap.newKeySet();
  private static volatile Thread thread;

  private WriteWatchdog() {}

  static void watch(Watched session) {
    WATCHED.add(session);
    if (thread == null) {
      start();
    }
  }

  static void unwatch(Watched session) {
    WATCHED.remove(session);
  }

  /** Whether {@code session} is watched now (tests). */
  static boolean watching(Watched session) {
    return WATCHED.contains(session);
  }

  private static synchronized void start() {
    if (thread != null) {
      return;
    }
    Thread t = new Thread(WriteWatchdog::run, "postbus-smtp-write-watchdog");
    t.setDaemon(true);
    t.start();
    thread = t;
  }

  private static void run() {
    while (true) {
      LockSupport.parkNanos(TICK_NANOS);
      long now = System.nanoTime();
      for (Watched w : WATCHED) {
        long deadline = w.deadline();
        if (deadline != 0 && now - deadline > 0) {
          if (w.leavesOnTimeout()) {
            WATCHED.remove(w);
          }
          timeOut(w);
        }
      }
    }
  }

  /** Whatever one session throws, the others keep their write timeout. */
  private static void timeOut(Watched w) {
    try {
      w.timedOut();
    } catch (Throwable t) { // NOPMD: the loop must survive anything
      LoggerFactory.getLogger(WriteWatchdog.class).warn("closing a stalled session failed", t);
    }
  }
}
