package dev.postbus.worker.consume;

import dev.postbus.worker.ledger.LedgerReader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the ledger of held partitions is read again: off the consumer thread, on a thread of its
 * own with a ledger reader of its own (a KafkaConsumer is not thread-safe, and the rebalance
 * callback reads with the takeover's). Both are made at the first read and closed once nothing is
 * held, or at shutdown. Without a source of readers (tests) the read runs on the caller's thread
 * with the takeover's reader. Started and closed on the consumer thread.
 */
final class HeldReads {

  private static final Logger log = LoggerFactory.getLogger(ConsumeLoop.class);

  private Supplier<LedgerReader> readers; // null: on the caller's thread, with `takeovers`
  private LedgerReader takeovers;
  private Reader current;

  /** The thread and its reader, made on the thread and used there only. */
  private static final class Reader {
    final ExecutorService thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "postbus-ledger-read-again");
              t.setDaemon(true); // a read may hang up to its timeout (60 s): no wait at exit
              return t;
            });
    final Supplier<LedgerReader> readers;
    LedgerReader reader;

    Reader(Supplier<LedgerReader> readers) {
      this.readers = readers;
    }

    LedgerReader reader() {
      if (reader == null) {
        reader = readers.get();
      }
      return reader;
    }

    void close() {
      if (reader != null) {
        try {
          reader.close();
        } catch (RuntimeException e) {
          log.debug("closing the reader of held partitions' ledger: {}", e.toString());
        }
      }
    }
  }

  void readWith(Supplier<LedgerReader> readers) {
    this.readers = readers;
  }

  void takeoverReader(LedgerReader reader) {
    this.takeovers = reader;
  }

  /** Starts {@code read} with a reader of its own; its result is awaited by polling. */
  <T> CompletableFuture<T> start(Function<LedgerReader, T> read) {
    if (readers == null) {
      try {
        return CompletableFuture.completedFuture(read.apply(takeovers));
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    if (current == null) {
      current = new Reader(readers);
    }
    Reader r = current;
    return CompletableFuture.supplyAsync(() -> read.apply(r.reader()), r.thread);
  }

  /**
   * Ends the thread and its reader, after the read under way (if any: the thread is a daemon);
   * idempotent.
   */
  void close() {
    Reader r = current;
    current = null;
    if (r != null) {
      r.thread.execute(r::close);
      r.thread.shutdown();
    }
  }
}
