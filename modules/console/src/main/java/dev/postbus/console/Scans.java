package dev.postbus.console;

import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.util.concurrent.Semaphore;

/**
 * How many requests may read a topic at once: each holds a Kafka consumer and its fetch buffers (up
 * to 8 MiB), so the console's heap is bounded by this many of them. A request beyond it is answered
 * 503 at once, saying to try again, rather than queued.
 */
final class Scans {

  /** Topic-reading requests at once, by default. */
  static final int DEFAULT = 4;

  private final Semaphore permits;
  private final int limit;

  Scans(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("scans: must be at least 1, got " + limit);
    }
    this.permits = new Semaphore(limit);
    this.limit = limit;
  }

  /** {@code handler}, run only while fewer than the limit are running. */
  Handler limit(Handler handler) {
    return ctx -> {
      if (!permits.tryAcquire()) {
        throw new HttpResponseException(
            HttpStatus.SERVICE_UNAVAILABLE.getCode(),
            "the console is already reading Kafka for "
                + limit
                + " requests: try again in a moment");
      }
      try {
        handler.handle(ctx);
      } finally {
        permits.release();
      }
    };
  }
}
