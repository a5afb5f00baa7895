package dev.postbus.worker.dedupe;

import dev.postbus.worker.ledger.LedgerOutcome;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;

/**
 * Idempotent publishing: which job ids finished within {@code dedupe.window} ({@link DedupeIndex},
 * one per ledger partition this worker owns a partition of) and which are being sent right now (a
 * claim per id). A record of a job id finished before is not sent again; one whose id is being sent
 * waits until that send ends and is then decided. A replay ({@link Origin#REPLAYED}) or a retry
 * tier's record ({@link Origin#RETRIED}) is sent on purpose, unless its id was delivered with the
 * same content. Thread-safe: every lane asks, the takeover loads, the lanes tell what finished; one
 * lock, held for a hash lookup.
 */
public final class Dedupe {

  /** What to do with a record. */
  public sealed interface Verdict permits Send, Duplicate, Conflict {}

  /** Not finished before (or the index of its partition is not known): send it. Claimed. */
  public record Send() implements Verdict {}

  /**
   * Finished before with the same content (or content unknown): not sent. For a replay: delivered
   * before with the same content (or content unknown).
   */
  public record Duplicate(DedupeIndex.Original original) implements Verdict {}

  /** Finished before with other content: the producer reused the id; not sent, dead-lettered. */
  public record Conflict(DedupeIndex.Original original) implements Verdict {}

  /** Where a record comes from: what a finish of its id before means for it. */
  public enum Origin {
    /** Published to a jobs topic: any finish of its id before stands for it. */
    PUBLISHED,
    /**
     * Replayed by an operator (it carries {@code replay-count}): sent on purpose over an id
     * dead-lettered, handed to the retry ladder, or delivered with other content (a {@code
     * conflict} replay); a duplicate of a delivery with the same content (the same dead letter
     * replayed again).
     */
    REPLAYED,
    /**
     * Read from a retry tier: the ladder brings the job back on purpose, so it is sent over an id
     * handed to the ladder (the normal case: this record put it there), dead-lettered, or delivered
     * with other content; a duplicate of a delivery with the same content (a retry record written
     * twice: a resend after a timeout that did not mean "not written", a zombie's buffered record).
     * The rule of a replay.
     */
    RETRIED
  }

  private static final Send SEND = new Send();

  /** Chunks of entries out of the window dropped per lookup or addition, at most. */
  static final int EXPIRED_CHUNKS_PER_CALL = 1;

  /** Entries merged per hold of the lock. */
  static final int MERGE_SLICE = 4096;

  private final Duration window;
  private final Clock clock;
  private final int ledgerPartitions;
  private final Map<Integer, DedupeIndex> indexes = new HashMap<>();
  private final Map<Long, Object> claims = new HashMap<>();
  private final Map<Object, Claim> claimed = new java.util.IdentityHashMap<>();

  /** What a claimant sends: its id, content and position. */
  private record Claim(long idHash, long fingerprint, TopicPartition source, long offset) {}

  public Dedupe(Duration window, Clock clock, int ledgerPartitions) {
    this.window = window;
    this.clock = clock;
    this.ledgerPartitions = ledgerPartitions;
  }

  public Duration window() {
    return window;
  }

  public int ledgerPartitions() {
    return ledgerPartitions;
  }

  /** Decides a record published to a jobs topic at once (see the next). */
  public Verdict tryClaim(
      Object claimant, TopicPartition source, long offset, long idHash, long fingerprint) {
    return tryClaim(claimant, source, offset, idHash, fingerprint, Origin.PUBLISHED);
  }

  /**
   * Decides a record at once: a verdict (Send: claimed for {@code claimant}), or null while another
   * record of the id is being sent.
   */
  public synchronized Verdict tryClaim(
      Object claimant,
      TopicPartition source,
      long offset,
      long idHash,
      long fingerprint,
      Origin origin) {
    Object holder = claims.get(idHash);
    if (holder == claimant) {
      return SEND;
    }
    if (holder != null) {
      return null;
    }
    DedupeIndex index = indexes.get(ledgerPartition(source));
    if (index != null) {
      // A window's end is kept however quiet the partition; a chunk (8192 entries) at most per
      // lookup, under the lock: after a long quiet spell the next lookups catch up.
      index.expire(clock.millis(), EXPIRED_CHUNKS_PER_CALL);
    }
    DedupeIndex.Original o = index == null ? null : index.find(idHash);
    // The same record finished: not a second publication. Whether it is skipped is the send
    // ledger's takeover read's decision (from the commits' marks), not this one's.
    Verdict v =
        o == null || (o.offset() == offset && o.source().equals(source))
            ? SEND
            : judged(o, fingerprint, origin);
    if (v != SEND) {
      return v;
    }
    claims.put(idHash, claimant);
    claimed.put(claimant, new Claim(idHash, fingerprint, source, offset));
    return SEND;
  }

  /** Decides a record published to a jobs topic, waiting (see the next). */
  public Verdict claim(
      Object claimant,
      TopicPartition source,
      long offset,
      long idHash,
      long fingerprint,
      BooleanSupplier giveUp)
      throws InterruptedException {
    return claim(claimant, source, offset, idHash, fingerprint, Origin.PUBLISHED, giveUp);
  }

  /**
   * Decides a record, waiting while another record of its id is being sent (a replay too: never two
   * sends of an id at once); null when {@code giveUp} says so first (its partition was let go, the
   * lane stops).
   */
  public synchronized Verdict claim(
      Object claimant,
      TopicPartition source,
      long offset,
      long idHash,
      long fingerprint,
      Origin origin,
      BooleanSupplier giveUp)
      throws InterruptedException {
    while (true) {
      Verdict v = tryClaim(claimant, source, offset, idHash, fingerprint, origin);
      if (v != null) {
        return v;
      }
      if (giveUp.getAsBoolean()) {
        return null;
      }
      wait(100);
    }
  }

  /**
   * The verdict on another record of an id finished before ({@code o}): Send, Duplicate or
   * Conflict. A replay or a retry tier's record is only a duplicate of a delivery (it is sent over
   * a dead letter, a retry, other content: the operator or the ladder asked for it), never a
   * conflict.
   */
  private static Verdict judged(DedupeIndex.Original o, long fingerprint, Origin origin) {
    boolean sameContent = o.contentUnknown() || o.fingerprint() == fingerprint;
    if (origin != Origin.PUBLISHED) {
      return sameContent && o.outcome() == LedgerOutcome.DELIVERED ? new Duplicate(o) : SEND;
    }
    return sameContent ? new Duplicate(o) : new Conflict(o);
  }

  /**
   * The claimant's record finished ({@code outcome}): it stands for its id in the index of its
   * partition (when this worker holds it), and its claim ends. Nothing for one without a claim
   * (false).
   */
  public synchronized boolean finished(Object claimant, LedgerOutcome outcome) {
    Claim c = claimed.get(claimant);
    if (c == null) {
      return false;
    }
    recorded(c.source(), c.offset(), c.idHash(), c.fingerprint(), outcome);
    release(claimant);
    return true;
  }

  /**
   * A record finished without a claim (a duplicate's, or one that finished before it was decided):
   * it stands for its id as its ledger entry does in a rebuild of the index.
   */
  public synchronized void recorded(
      TopicPartition source, long offset, long idHash, long fingerprint, LedgerOutcome outcome) {
    DedupeIndex index = indexes.get(ledgerPartition(source));
    if (index != null) {
      long now = clock.millis();
      index.expire(now, EXPIRED_CHUNKS_PER_CALL);
      index.add(idHash, fingerprint, source, offset, outcome, now);
    }
  }

  /** Ends the claimant's claim, if it holds one (its attempt ended without an outcome). */
  public synchronized void release(Object claimant) {
    Claim c = claimed.remove(claimant);
    if (c != null) {
      claims.remove(c.idHash(), claimant);
      notifyAll();
    }
  }

  /** The ledger partitions whose index is known. */
  public synchronized Set<Integer> loaded() {
    return Set.copyOf(indexes.keySet());
  }

  /** The index of a ledger partition, built by a takeover read. */
  public synchronized void loaded(int ledgerPartition, DedupeIndex index) {
    indexes.put(ledgerPartition, index);
  }

  /**
   * The index of a ledger partition, built whole by a read that may have begun before another read
   * loaded it: taken as it is when none is known; merged into the one known otherwise (that one
   * holds what was read since, and what the lanes added: replacing it would forget a delivery).
   */
  public void loadedOrMerged(int ledgerPartition, DedupeIndex index) {
    synchronized (this) {
      if (indexes.putIfAbsent(ledgerPartition, index) == null) {
        return;
      }
    }
    merge(ledgerPartition, index);
  }

  /**
   * Adds to the index of a ledger partition the entries of {@code more} (read for partitions newly
   * taken on) whose ids it does not know, a slice at a time so that lanes asking are not held for
   * the whole of it. Nothing when that index is not known (it is built whole then).
   */
  public void merge(int ledgerPartition, DedupeIndex more) {
    long next = 0;
    while (next >= 0) {
      synchronized (this) {
        DedupeIndex index = indexes.get(ledgerPartition);
        if (index == null) {
          return;
        }
        next = index.addAbsent(more, next, MERGE_SLICE);
      }
    }
  }

  /** Forgets the indexes of ledger partitions this worker no longer owns a partition of. */
  public synchronized void keepOnly(Set<Integer> ledgerPartitions) {
    indexes.keySet().retainAll(ledgerPartitions);
  }

  public int ledgerPartition(TopicPartition source) {
    return source.partition() % ledgerPartitions;
  }
}
