package dev.postbus.worker.dispatch;

import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * The offsets of one assigned partition that are not finished yet. Records complete out of order;
 * the committable offset is the lowest one not finished (or one past the highest seen when all
 * are).
 *
 * <p>Only the consumer thread changes it; {@link #revoked()} may be read by any thread. One
 * instance per assignment: a partition revoked and assigned again gets a new instance, so a result
 * that arrives for the old one is recognisably stale.
 */
public final class PartitionOffsets {

  private final TreeSet<Long> inFlight = new TreeSet<>();
  private final TreeSet<Long> abandoned = new TreeSet<>();
  private long next = -1;
  private long committed = -1;
  private volatile boolean revoked;
  private volatile boolean releasing;

  /** Offsets lanes handed back unstarted (any thread); the consumer thread abandons them. */
  private final java.util.concurrent.ConcurrentLinkedQueue<Long> handedBack =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** A record was handed to the lanes. Offsets arrive in increasing order. */
  public void track(long offset) {
    if (offset < next) {
      throw new IllegalStateException("offset " + offset + " tracked after " + (next - 1));
    }
    inFlight.add(offset);
    next = offset + 1;
  }

  /** One past the highest offset handed to the lanes; -1 before the first. */
  public long nextTracked() {
    return next;
  }

  /** The record's outcome is durable (delivered, or dead-lettered and acknowledged). */
  public void complete(long offset) {
    inFlight.remove(offset);
  }

  /**
   * The record was taken back before a lane started it: it stays uncommitted but is no longer
   * awaited.
   */
  public void abandon(long offset) {
    if (inFlight.remove(offset)) {
      abandoned.add(offset);
    }
  }

  /** Records a lane is working on (neither finished nor abandoned). */
  public int inFlight() {
    Long offset;
    while ((offset = handedBack.poll()) != null) {
      abandon(offset);
    }
    return inFlight.size();
  }

  /**
   * Called by the consumer thread when the partition is about to leave this worker: lanes holding
   * one of its records without having started it hand it back at once ({@link #handBack}) instead
   * of keeping the hand-over waiting.
   */
  public void markReleasing() {
    releasing = true;
  }

  /**
   * True once the partition is being let go (or is gone): held work for it should be handed back.
   */
  public boolean releasing() {
    return releasing || revoked;
  }

  /**
   * A lane gives back a record it had not started (any thread): it stays uncommitted, and is no
   * longer awaited.
   */
  public void handBack(long offset) {
    handedBack.add(offset);
  }

  /** The offset to commit now, when it moved since the last commit. */
  public OptionalLong commitDue() {
    OptionalLong candidate = committable();
    return candidate.isPresent() && candidate.getAsLong() > committed
        ? candidate
        : OptionalLong.empty();
  }

  /**
   * The offset that may be committed (the lowest one not finished), moved or not; empty before the
   * first record.
   */
  public OptionalLong committable() {
    if (next < 0) {
      return OptionalLong.empty();
    }
    long candidate = next;
    if (!inFlight.isEmpty()) {
      candidate = Math.min(candidate, inFlight.first());
    }
    if (!abandoned.isEmpty()) {
      candidate = Math.min(candidate, abandoned.first());
    }
    return OptionalLong.of(candidate);
  }

  public void committed(long offset) {
    committed = Math.max(committed, offset);
  }

  /** Called by the consumer thread when the partition leaves this worker. */
  public void markRevoked() {
    revoked = true;
  }

  /**
   * True once the partition left this worker: work for it should stop and its results are
   * discarded.
   */
  public boolean revoked() {
    return revoked;
  }
}
