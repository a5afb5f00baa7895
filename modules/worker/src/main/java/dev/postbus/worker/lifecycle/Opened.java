package dev.postbus.worker.lifecycle;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the assembly has opened so far (clients, executors), so that a start-up that fails part-way
 * closes exactly that: each once, the last opened first, a failure to close one logged and the
 * others still closed.
 */
final class Opened {

  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  /** One thing to close, named in the log should closing it fail. */
  private record Entry(String name, AutoCloseable closer) {}

  private final Deque<Entry> open = new ArrayDeque<>();

  /** Remembers {@code thing}; returns it. */
  synchronized <T> T add(String name, T thing, AutoCloseable closer) {
    open.push(new Entry(name, closer));
    return thing;
  }

  /** Closes everything added and not closed yet; a second call closes nothing again. */
  synchronized void closeAll() {
    Entry e;
    while ((e = open.poll()) != null) {
      try {
        e.closer().close();
      } catch (Exception | Error failure) {
        log.warn("closing {} after a failed start-up failed: {}", e.name(), failure.toString());
      }
    }
  }
}
