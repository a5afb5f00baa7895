package dev.postbus.worker.dedupe;

import dev.postbus.worker.ledger.LedgerOutcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The job ids finished within the dedupe window in one ledger partition, as compact hashes: per
 * entry three longs (24 bytes) in chunks kept in the order they were added, the 64-bit hash of the
 * job id, the first 64 bits of the fingerprint of its content (0: unknown), and its position (the
 * record's offset: 48 bits; its topic and partition, an index into a small table: 14 bits; its
 * outcome: 2 bits), plus an open-addressing table of ints (linear probing, at most 3/4 full) from
 * the id hash to the entry. About 31 MiB for a million entries; no object per entry.
 *
 * <p>An entry is kept until the newest entry of its chunk of {@value #CHUNK} is older than the
 * window, so at least for the window. One id has at most one entry in the table: the latest added
 * (the job's latest outcome). Not thread-safe: {@link Dedupe} guards it.
 */
public final class DedupeIndex {

  static final int CHUNK_BITS = 13;
  static final int CHUNK = 1 << CHUNK_BITS;
  private static final long OFFSET_MASK = (1L << 48) - 1;
  private static final int SOURCE_BITS = 14;
  static final int MAX_SOURCES = (1 << SOURCE_BITS) - 1;
  private static final long SEQ_MASK = (1L << 31) - 1;

  /** More would let the sequence numbers in the table wrap over live ones. */
  static final long MAX_ENTRIES = 1L << 30;

  /** What the index knows of a finished job id. */
  public record Original(
      TopicPartition source, long offset, LedgerOutcome outcome, long fingerprint) {
    /** True when the entry was written without a fingerprint (a worker before dedupe). */
    public boolean contentUnknown() {
      return fingerprint == 0;
    }
  }

  private static final class Chunk {
    final long[] ids = new long[CHUNK];
    final long[] fingerprints = new long[CHUNK];
    final long[] positions = new long[CHUNK];
    long newestAt = Long.MIN_VALUE;
  }

  private final long windowMillis;
  private final List<Chunk> chunks = new ArrayList<>();
  private final List<TopicPartition> sources = new ArrayList<>();
  private final Map<TopicPartition, Integer> sourceIds = new HashMap<>();
  private long firstChunk; // the number of chunks.get(0)
  private long nextSeq;
  private int[] table = new int[1024];
  private int indexed;

  public DedupeIndex(java.time.Duration window) {
    this.windowMillis = window.toMillis();
  }

  /** The finished entry of this id hash, or null. */
  public Original find(long idHash) {
    int slot = slotOf(idHash);
    if (table[slot] == 0) {
      return null;
    }
    long seq = seqOf(table[slot]);
    Chunk c = chunk(seq);
    int i = (int) (seq & (CHUNK - 1));
    long pos = c.positions[i];
    return new Original(
        sources.get((int) ((pos >>> 2) & MAX_SOURCES)),
        pos >>> (SOURCE_BITS + 2),
        outcome((int) (pos & 3)),
        c.fingerprints[i]);
  }

  /**
   * Adds a finished record: it stands for its id from now on (a conflict is never added). Entries
   * older than the window are dropped first.
   *
   * @param fingerprint the first 64 bits of its content's fingerprint, 0 when unknown
   * @param atMillis when it finished
   */
  public void add(
      long idHash,
      long fingerprint,
      TopicPartition source,
      long offset,
      LedgerOutcome outcome,
      long atMillis) {
    if (outcome == LedgerOutcome.CONFLICT) {
      return;
    }
    Integer sourceId = sourceIds.get(source);
    if (sourceId == null) {
      if (sources.size() > MAX_SOURCES) {
        return; // more topic-partitions than any deployment maps onto one ledger partition
      }
      sourceId = sources.size();
      sources.add(source);
      sourceIds.put(source, sourceId);
    }
    if (nextSeq - (firstChunk << CHUNK_BITS) >= MAX_ENTRIES) {
      dropFirstChunk();
    }
    long seq = nextSeq++;
    int i = (int) (seq & (CHUNK - 1));
    if (i == 0) {
      chunks.add(new Chunk());
    }
    Chunk c = chunks.get(chunks.size() - 1);
    c.ids[i] = idHash;
    c.fingerprints[i] = fingerprint;
    c.positions[i] =
        (offset & OFFSET_MASK) << (SOURCE_BITS + 2) | (long) sourceId << 2 | wire(outcome);
    c.newestAt = Math.max(c.newestAt, atMillis);
    put(idHash, seq);
  }

  /**
   * Adds up to {@code max} entries of {@code from}, from its entry {@code fromSeq} on (0: its
   * first), each the one {@code from} answers for its id, unless this index answers for that id
   * already (it keeps what it knows: no entry twice when it read them before); returns where to go
   * on, or -1 when every entry was seen. An entry is kept as long as the newest of its chunk in
   * {@code from}, so at least for the window.
   */
  public long addAbsent(DedupeIndex from, long fromSeq, int max) {
    long seq = Math.max(fromSeq, from.firstChunk << CHUNK_BITS);
    for (int n = 0; n < max && seq < from.nextSeq; n++, seq++) {
      Chunk c = from.chunk(seq);
      int i = (int) (seq & (CHUNK - 1));
      long id = c.ids[i];
      int slot = from.slotOf(id);
      if (from.seqOf(from.table[slot]) != seq || find(id) != null) {
        continue; // an older entry of its id in from, or one this index knows
      }
      long pos = c.positions[i];
      add(
          id,
          c.fingerprints[i],
          from.sources.get((int) ((pos >>> 2) & MAX_SOURCES)),
          pos >>> (SOURCE_BITS + 2),
          outcome((int) (pos & 3)),
          c.newestAt);
    }
    return seq < from.nextSeq ? seq : -1;
  }

  /** Drops the chunks whose entries are all older than the window before {@code nowMillis}. */
  public void expire(long nowMillis) {
    expire(nowMillis, Integer.MAX_VALUE);
  }

  /**
   * Drops at most {@code max} of the chunks whose entries are all older than the window before
   * {@code nowMillis} (oldest first): a lookup's work is bounded, and the next ones catch up.
   */
  public void expire(long nowMillis, int max) {
    for (int n = 0;
        n < max && !chunks.isEmpty() && chunks.get(0).newestAt < nowMillis - windowMillis;
        n++) {
      dropFirstChunk();
    }
  }

  /** The number of ids the index answers for. */
  public int size() {
    return indexed;
  }

  /** The bytes its arrays take (the table and the chunks), for the figures. */
  public long retainedBytes() {
    return 4L * table.length + (long) chunks.size() * CHUNK * 24;
  }

  private void put(long idHash, long seq) {
    if ((indexed + 1) * 4L > table.length * 3L) {
      grow();
    }
    int slot = slotOf(idHash);
    if (table[slot] == 0) {
      indexed++;
    }
    table[slot] = stored(seq);
  }

  /** The slot holding this id hash, or the empty slot where it goes. */
  private int slotOf(long idHash) {
    int mask = table.length - 1;
    int slot = home(idHash, mask);
    while (table[slot] != 0 && idAt(seqOf(table[slot])) != idHash) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private void grow() {
    int[] old = table;
    table = new int[old.length * 2];
    int mask = table.length - 1;
    for (int v : old) {
      if (v != 0) {
        int slot = home(idAt(seqOf(v)), mask);
        while (table[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        table[slot] = v;
      }
    }
  }

  private void dropFirstChunk() {
    Chunk c = chunks.get(0);
    long base = firstChunk << CHUNK_BITS;
    long end = Math.min(base + CHUNK, nextSeq);
    for (long seq = base; seq < end; seq++) {
      int slot = slotOf(c.ids[(int) (seq - base)]);
      if (table[slot] != 0 && seqOf(table[slot]) == seq) {
        remove(slot);
      }
    }
    chunks.remove(0);
    firstChunk++;
    if (chunks.isEmpty()) {
      nextSeq = firstChunk << CHUNK_BITS;
    }
  }

  /** Linear probing's deletion: later entries of the run move back, no tombstones. */
  private void remove(int hole) {
    int mask = table.length - 1;
    int j = hole;
    while (true) {
      j = (j + 1) & mask;
      if (table[j] == 0) {
        break;
      }
      int home = home(idAt(seqOf(table[j])), mask);
      boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!stays) {
        table[hole] = table[j];
        hole = j;
      }
    }
    table[hole] = 0;
    indexed--;
  }

  private long idAt(long seq) {
    return chunk(seq).ids[(int) (seq & (CHUNK - 1))];
  }

  private Chunk chunk(long seq) {
    return chunks.get((int) ((seq >>> CHUNK_BITS) - firstChunk));
  }

  private static int home(long idHash, int mask) {
    long h = idHash * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 32) & mask;
  }

  /** A sequence number as the table holds it: its low 31 bits, plus one (0 is an empty slot). */
  private static int stored(long seq) {
    return (int) ((seq & SEQ_MASK) + 1);
  }

  /** The live sequence number a table value stands for (live ones span less than 2^31). */
  private long seqOf(int stored) {
    long first = firstChunk << CHUNK_BITS;
    long rel = (((stored & 0xffffffffL) - 1) - (first & SEQ_MASK)) & SEQ_MASK;
    return first + rel;
  }

  private static long wire(LedgerOutcome o) {
    return switch (o) {
      case DELIVERED -> 1;
      case DEAD_LETTERED -> 2;
      case RETRY -> 3;
      default -> 0;
    };
  }

  private static LedgerOutcome outcome(int bits) {
    return switch (bits) {
      case 1 -> LedgerOutcome.DELIVERED;
      case 2 -> LedgerOutcome.DEAD_LETTERED;
      case 3 -> LedgerOutcome.RETRY;
      default -> LedgerOutcome.UNKNOWN;
    };
  }
}
