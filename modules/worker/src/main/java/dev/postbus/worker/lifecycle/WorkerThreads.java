package dev.postbus.worker.lifecycle;

import dev.postbus.smtp.TraceOnly;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's own threads. Each logs an error it does not catch through SLF4J, by class and stack
 * frames only ({@link TraceOnly}: its message can quote an address), so that no thread of the
 * worker dies with its trace on stderr only.
 */
final class WorkerThreads {

  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  private static final Thread.UncaughtExceptionHandler LOGGED =
      (t, e) -> log.error("{} ended by an uncaught error", t.getName(), TraceOnly.of(e));

  private WorkerThreads() {}

  /** A thread of the worker named {@code name}, not started. */
  static Thread thread(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setUncaughtExceptionHandler(LOGGED);
    return t;
  }

  /** A daemon thread of the worker named {@code name}, not started. */
  static Thread daemon(Runnable r, String name) {
    Thread t = thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
