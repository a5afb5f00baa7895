package dev.postbus.worker.ledger;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the send ledger says about the partitions this worker owns: the offsets at or after the
 * committed offset that are already finished. A worker taking a partition over after a crash skips
 * those records instead of sending them again. Consumer thread only.
 */
public final class LedgerIndex {

  private static final Logger log = LoggerFactory.getLogger(LedgerIndex.class);

  private final LedgerReader reader;
  private final Duration window;
  private final Clock clock;
  private final Map<TopicPartition, java.util.TreeMap<Long, LedgerEntry>> finished =
      new HashMap<>();

  public LedgerIndex(LedgerReader reader, Duration window, Clock clock) {
    this.reader = reader;
    this.window = window;
    this.clock = clock;
  }

  /**
   * Reads the ledger for newly assigned partitions.
   *
   * @param committed each partition's committed offset (0 when none): entries below it are no
   *     longer needed
   */
  public void load(Map<TopicPartition, Long> committed) {
    if (committed.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    int found = 0;
    java.util.List<LedgerEntry> entries;
    try {
      entries = reader.read(committed.keySet(), clock.instant().minus(window));
    } catch (RuntimeException e) {
      log.warn(
          "send ledger could not be read ({}); records finished before a crash may be sent again",
          e.getMessage());
      return;
    }
    for (LedgerEntry e : entries) {
      Long from = committed.get(e.source());
      if (from != null
          && e.offset() >= from
          && finished.computeIfAbsent(e.source(), k -> new java.util.TreeMap<>()).put(e.offset(), e)
              == null) {
        found++;
      }
    }
    log.info(
        "send ledger read for {} partitions in {} ms: {} records after the committed offsets are already finished",
        committed.size(),
        (System.nanoTime() - start) / 1_000_000,
        found);
  }

  /**
   * The ledger's entry when it holds this record as finished (its delivered event, if any, must be
   * written again), else null; each answer is given once.
   */
  public LedgerEntry finished(TopicPartition tp, long offset) {
    java.util.TreeMap<Long, LedgerEntry> offsets = finished.get(tp);
    if (offsets == null) {
      return null;
    }
    offsets
        .headMap(offset)
        .clear(); // consumed past them: they will not come again in this assignment
    LedgerEntry hit = offsets.remove(offset);
    if (offsets.isEmpty()) {
      finished.remove(tp);
    }
    return hit;
  }

  public void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(finished::remove);
  }
}
