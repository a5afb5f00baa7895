package dev.postbus.worker.ledger;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The {@link LedgerMark} each offset commit carries: for committed offset C of a source partition,
 * a ledger offset at or before every entry about a record at or after C.
 *
 * <p>Records of a partition are handed to the lanes in offset order by the consumer thread, and an
 * entry is written only after its record was handed out. So at each commit this class notes, per
 * partition, (H, S): the highest offset handed out so far and how far the ledger was known to reach
 * ({@link LedgerPositions}). Every record after H is handed out later, so its entry lies at or
 * after S; the mark of C is the S of the latest note with H &lt; C. Entries the takeover read found
 * (written by an earlier owner before this one's notes) pin the mark at or before the lowest of
 * them until the committed offset passes them. Consumer thread only.
 */
public final class LedgerMarks {

  /**
   * How many entries the mark of a partition whose offset did not move may fall behind the mark it
   * would carry now before it is committed again (see {@link #lags}).
   */
  public static final long LAG_LIMIT = 10_000;

  private final String topic;
  private final LedgerPositions positions;
  private final Map<TopicPartition, Notes> notes = new HashMap<>();

  public LedgerMarks(String topic, LedgerPositions positions) {
    this.topic = topic;
    this.positions = positions;
  }

  /** Per source partition: the notes (H, S) in order, and the pin of the takeover read. */
  private static final class Notes {
    final ArrayDeque<long[]> taken = new ArrayDeque<>();
    final long pinFloor;
    final long pinThrough;
    boolean marked;
    // the mark of the last commit Kafka acknowledged, first the one the takeover read (-1: none)
    long committedMark;

    Notes(long committed, long base, long pinFloor, long pinThrough, long readMark) {
      taken.add(new long[] {committed - 1, base});
      this.pinFloor = pinFloor;
      this.pinThrough = pinThrough;
      this.marked = readMark >= 0;
      this.committedMark = readMark;
    }
  }

  /**
   * A partition was taken over and its ledger read.
   *
   * @param committed its committed offset
   * @param base where its ledger partition ended when read
   * @param pinFloor the lowest ledger offset of an entry the read kept for it (Long.MAX_VALUE when
   *     none)
   * @param pinThrough the highest source offset of those entries (-1 when none)
   * @param readMark the valid mark its commit carried, -1 when none (then {@link #unmarked} names
   *     it until a commit with one is acknowledged); {@link #lags} measures from it until this
   *     owner commits it, so a partition that never moves is still committed again as the ledger
   *     fills
   */
  public void assigned(
      TopicPartition source,
      long committed,
      long base,
      long pinFloor,
      long pinThrough,
      long readMark) {
    notes.put(source, new Notes(committed, base, pinFloor, pinThrough, readMark));
  }

  /**
   * True while a partition taken over has no commit with a mark (none at all, or an older
   * worker's): it makes a new owner read its whole ledger partition by time, for every source
   * partition there, so it should be committed again, with a mark, at once.
   */
  public boolean unmarked() {
    for (Notes n : notes.values()) {
      if (!n.marked) {
        return true;
      }
    }
    return false;
  }

  /**
   * Notes where the ledger reaches now, just before a commit.
   *
   * @param nextHandedOut one past the highest offset of {@code source} handed out so far (-1 when
   *     none yet in this assignment)
   */
  public void note(TopicPartition source, long nextHandedOut) {
    Notes n = notes.get(source);
    long s = positions.next(ledgerPartition(source));
    if (n == null || s < 0) {
      return;
    }
    long[] last = n.taken.peekLast();
    if (nextHandedOut < 0) { // none yet: every record from the committed offset comes later
      nextHandedOut = last[0] + 1;
    }
    if (last[0] == nextHandedOut - 1) {
      last[1] = Math.max(last[1], s); // nothing handed out since: the later position holds too
    } else if (last[0] < nextHandedOut - 1) {
      n.taken.add(new long[] {nextHandedOut - 1, Math.max(last[1], s)});
    }
  }

  /** The metadata of a commit of {@code offset}; empty when no mark is known. */
  public String metadata(TopicPartition source, long offset) {
    Notes n = notes.get(source);
    long mark = n == null ? -1 : markOf(n, offset);
    if (mark < 0) {
      return "";
    }
    return new LedgerMark(topic, positions.partitions(), ledgerPartition(source), mark).format();
  }

  /**
   * True when a commit of {@code offset} now would carry a mark at least {@link #LAG_LIMIT} entries
   * past the last one Kafka acknowledged: a partition whose offset does not move (an idle retry
   * tier) while the ledger partition it shares fills with other partitions' entries is then
   * committed again, so a new owner does not read those entries (notes the ledger's reach first).
   *
   * @param nextHandedOut as for {@link #note}
   */
  public boolean lags(TopicPartition source, long nextHandedOut, long offset) {
    Notes n = notes.get(source);
    if (n == null || n.committedMark < 0) {
      return false; // taken over without a mark: unmarked() has it committed at once
    }
    note(source, nextHandedOut);
    return markOf(n, offset) - n.committedMark >= LAG_LIMIT;
  }

  private static long markOf(Notes n, long offset) {
    long mark = -1;
    for (long[] t : n.taken) {
      if (t[0] < offset) {
        mark = t[1];
      } else {
        break;
      }
    }
    if (mark >= 0 && offset <= n.pinThrough) {
      mark = Math.min(mark, n.pinFloor);
    }
    return mark;
  }

  /**
   * The current assignment of {@code source} (null when not owned), to hand back with a commit's
   * acknowledgement: an acknowledgement of a commit made for an earlier assignment counts for
   * nothing in a later one.
   */
  public Object assignment(TopicPartition source) {
    return notes.get(source);
  }

  /**
   * Kafka has the commit of {@code offset}, made during {@code assignment}: notes no later commit
   * can use are dropped.
   */
  public void committed(TopicPartition source, long offset, String metadata, Object assignment) {
    Notes n = notes.get(source);
    if (n == null || n != assignment) {
      return; // let go, or taken again since: its notes and mark are another assignment's
    }
    java.util.Optional<LedgerMark> mark = LedgerMark.parse(metadata);
    n.marked |= mark.isPresent();
    mark.ifPresent(m -> n.committedMark = m.offset());
    while (n.taken.size() > 1) {
      java.util.Iterator<long[]> it = n.taken.iterator();
      it.next();
      if (it.next()[0] >= offset) {
        return;
      }
      n.taken.removeFirst(); // the next note serves every commit the first one could
    }
  }

  public void forget(Collection<TopicPartition> sources) {
    sources.forEach(notes::remove);
  }

  private int ledgerPartition(TopicPartition source) {
    return LedgerReader.ledgerPartition(source.partition(), positions.partitions());
  }
}
