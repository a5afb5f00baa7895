package dev.postbus.worker.ledger;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How far this worker knows each ledger partition reaches: one past the highest offset of an entry
 * its writer had acknowledged, or the end its takeover read found. Any entry appended later, by any
 * worker, lies at or after it. Thread-safe.
 */
public final class LedgerPositions {

  private final AtomicLongArray next;

  public LedgerPositions(int ledgerPartitions) {
    next = new AtomicLongArray(ledgerPartitions);
    for (int p = 0; p < ledgerPartitions; p++) {
      next.set(p, -1);
    }
  }

  /** An entry was acknowledged at {@code offset} of ledger partition {@code partition}. */
  public void acked(int partition, long offset) {
    reached(partition, offset + 1);
  }

  /** Ledger partition {@code partition} reaches at least {@code end} (exclusive). */
  public void reached(int partition, long end) {
    next.accumulateAndGet(partition, end, Math::max);
  }

  /** One past the last entry known in that partition; -1 when nothing is known yet. */
  public long next(int partition) {
    return next.get(partition);
  }

  public int partitions() {
    return next.length();
  }
}
