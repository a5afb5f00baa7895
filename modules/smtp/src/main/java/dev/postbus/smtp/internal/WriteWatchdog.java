package dev.postbus.smtp.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write timeout. A blocking socket write has none of its own, so a session arms a deadline
 * before it writes and disarms it after; one daemon thread for the whole JVM closes the socket of a
 * session whose deadline has passed (its raw TCP socket, also under TLS), which makes the stuck
 * write throw. The write deadline is a {@link ReadDeadline}: arming it is one compare-and-set,
 * nothing is allocated per message, and a write that ends as its deadline passes keeps its socket.
 * A TLS handshake and each reply of a TLS session are bounded the same way: their reads have the
 * socket's read timeout, but nothing else bounds the whole of them.
 *
 * <p>The thread survives anything thrown on it (an Error from a session's deadline, a failing log);
 * should it end all the same, the next watch or send starts another.
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

  private static final Logger log = LoggerFactory.getLogger(WriteWatchdog.class);
  private static final Set<Watched> WATCHED = ConcurrentHashMap.newKeySet();
  private static volatile Thread thread;

  /** Makes the watchdog's thread (a thread that cannot start, in tests). */
  static final ThreadFactory THREADS = Thread::new;

  private static volatile ThreadFactory threads = THREADS;

  private WriteWatchdog() {}

  /**
   * Puts {@code session} under the watchdog, starting its thread first if none runs (the first
   * watch, or one that died): a thread that cannot start throws, and leaves nothing watched.
   */
  static void watch(Watched session) {
    ensureRunning();
    WATCHED.add(session);
  }

  /**
   * Starts the thread if none runs (one that died, or ended by a restart): called by each send, so
   * a pooled session that watches nothing new still gets one. A volatile read and {@link
   * Thread#isAlive}: no lock, allocation or system call while a thread runs. A thread that cannot
   * start throws.
   */
  static void ensureRunning() {
    Thread t = thread;
    if (t == null || !t.isAlive()) {
      start();
    }
  }

  static void unwatch(Watched session) {
    WATCHED.remove(session);
  }

  /** Whether a thread is in place and alive (tests). */
  static boolean running() {
    Thread t = thread;
    return t != null && t.isAlive();
  }

  /** Whether {@code session} is watched now (tests). */
  static boolean watching(Watched session) {
    return WATCHED.contains(session);
  }

  /**
   * Tests: the thread in place ends within a tick, and the next watch starts one made by {@code
   * factory}. The watched sessions stay watched.
   */
  static synchronized void restart(ThreadFactory factory) {
    threads = factory;
    Thread old = thread;
    thread = null;
    if (old != null) {
      LockSupport.unpark(old);
    }
  }

  private static synchronized void start() {
    Thread running = thread;
    if (running != null && running.isAlive()) {
      return;
    }
    Thread t = threads.newThread(WriteWatchdog::run);
    t.setName("postbus-smtp-write-watchdog");
    t.setDaemon(true);
    t.setUncaughtExceptionHandler(
        (dead, e) ->
            log.error("the write watchdog stopped; the next watch or send starts it again", e));
    thread = t; // before it runs: a thread that is not the one in place ends
    try {
      t.start();
    } catch (Throwable e) { // NOPMD: not started, not in place
      thread = null;
      throw e;
    }
  }

  /**
   * Until another thread takes its place ({@link #restart}), whatever is thrown. A thread unparked
   * by the restart ends without another tick; one caught in a tick may finish it alongside the new
   * thread, but a session that leaves on timeout is timed out only by the thread that removed it.
   */
  private static void run() {
    Thread self = Thread.currentThread();
    while (thread == self) {
      LockSupport.parkNanos(TICK_NANOS);
      if (thread != self) {
        return; // unparked by restart: the thread in place ticks, not this one too
      }
      try {
        tick(System.nanoTime());
      } catch (Throwable t) { // NOPMD: the loop must survive anything (the set's iterator, say)
        warn("a tick of the write watchdog failed", t);
      }
    }
  }

  /** Whatever one session throws, the others keep their deadlines. */
  private static void tick(long now) {
    for (Watched w : WATCHED) {
      try {
        long deadline = w.deadline();
        if (deadline != 0 && now - deadline > 0) {
          if (w.leavesOnTimeout() && !WATCHED.remove(w)) {
            continue; // another thread (the one in place before a restart) timed it out
          }
          w.timedOut();
        }
      } catch (Throwable t) { // NOPMD: the loop must survive anything
        warn("a watched session failed (its deadline, or closing it)", t);
      }
    }
  }

  /** Logs, unless that fails too (out of memory): the loop goes on either way. */
  private static void warn(String what, Throwable t) {
    try {
      log.warn(what, t);
    } catch (Throwable ignored) { // NOPMD: nothing more to do
      // the next tick tries again
    }
  }
}
