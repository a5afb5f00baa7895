package dev.postbus.worker.lifecycle;

import java.util.concurrent.atomic.LongAdder;

/** Counters of what this worker did since it started. Thread-safe. */
public final class WorkerStats {

  /** A consistent-enough copy of the counters. */
  public record Snapshot(long delivered, long deadLettered, long poison, long retried, long inDoubt,
      long connectionFailures) {}

  private final LongAdder delivered = new LongAdder();
  private final LongAdder deadLettered = new LongAdder();
  private final LongAdder poison = new LongAdder();
  private final LongAdder retried = new LongAdder();
  private final LongAdder inDoubt = new LongAdder();
  private final LongAdder connectionFailures = new LongAdder();
  private final LatencyHistogram publishToDelivered = new LatencyHistogram();

  /** Time from publishing (the record's timestamp) to the relay's 2xx, of every delivery. */
  public LatencyHistogram publishToDelivered() {
    return publishToDelivered;
  }

  public void delivered() {
    delivered.increment();
  }

  /** A delivery of a record published at {@code publishedMillis} (epoch ms), completed at {@code nowMillis}. */
  public void delivered(long publishedMillis, long nowMillis) {
    delivered.increment();
    publishToDelivered.record((nowMillis - publishedMillis) * 1000);
  }

  public void deadLettered(boolean isPoison) {
    deadLettered.increment();
    if (isPoison) {
      poison.increment();
    }
  }

  /** A job needed another attempt. */
  public void retried() {
    retried.increment();
  }

  public void inDoubt() {
    inDoubt.increment();
  }

  public void connectionFailed() {
    connectionFailures.increment();
  }

  public Snapshot snapshot() {
    return new Snapshot(delivered.sum(), deadLettered.sum(), poison.sum(), retried.sum(), inDoubt.sum(),
        connectionFailures.sum());
  }
}
