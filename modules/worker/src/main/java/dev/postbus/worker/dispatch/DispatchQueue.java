package dev.postbus.worker.dispatch;

import dev.postbus.job.JobClass;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The bounded hand-over from the consumer thread to the sender lanes, by count and by payload
 * bytes. The consumer pauses its partitions when {@link #full()} and resumes at {@link
 * #belowLowWater()}; the extra room of one poll's worth of records makes {@link #add} never block.
 * Payloads the consumer side holds outside the queue ({@link #holdAside}: a ledger skip's event
 * being written again) count in the byte bound too.
 *
 * <p>With the classes on ({@link ClassPick}), transactional and bulk jobs wait apart, each bounded
 * alike by count (by bytes, bulk gets half the bound, so queued bulk never pauses transactional
 * partitions): a lane takes transactional ones first, bulk ones only while fewer than the bulk
 * lanes are held ({@link #done} tells a bulk job handled), and bulk gets its floor. {@link #full()}
 * is then the transactional side's (the consumer pauses bulk partitions on its own at {@link
 * #bulkFull()}). With the classes off, one first-come first-served queue.
 */
public final class DispatchQueue {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition ready = lock.newCondition();
  private final ArrayDeque<Delivery> transactional = new ArrayDeque<>();
  private final ArrayDeque<Delivery> bulk = new ArrayDeque<>();
  private final ClassPick pick; // null: classes off, everything in `transactional`, in order
  private final int capacity;
  private final int highWater;
  private final long highWaterBytes;
  private final AtomicLong bytes = new AtomicLong(); // the transactional side's
  private final AtomicLong bulkBytes = new AtomicLong();
  private final AtomicLong aside = new AtomicLong();
  private int bulkHeld;
  private int idle; // lanes waiting in take()
  // bulk deliveries whose lane slot went on with the bulk job taken ahead behind them
  private final java.util.Set<Delivery> passed =
      java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

  /** One first-come first-served queue (classes off). */
  public DispatchQueue(int highWater, long highWaterBytes, int maxPollRecords) {
    this(highWater, highWaterBytes, maxPollRecords, null);
  }

  /**
   * @param pick how lanes choose between the classes; null for one first-come first-served queue
   */
  public DispatchQueue(int highWater, long highWaterBytes, int maxPollRecords, ClassPick pick) {
    this.capacity = highWater + maxPollRecords;
    this.highWater = highWater;
    this.highWaterBytes = highWaterBytes;
    this.pick = pick;
  }

  public boolean classesOn() {
    return pick != null;
  }

  /** The most bulk jobs lanes may hold at once (0 with the classes off). */
  public int bulkLanes() {
    return pick == null ? 0 : pick.bulkLanes();
  }

  public void add(Delivery d) {
    lock.lock();
    try {
      ArrayDeque<Delivery> q = sideOf(d);
      if (q.size() >= capacity) {
        throw new IllegalStateException(
            "dispatch queue over capacity: the consumer should have paused");
      }
      q.add(d);
      bytesOf(q).addAndGet(d.size());
      ready.signal();
    } finally {
      lock.unlock();
    }
  }

  /** The next delivery, or null after {@code timeout}. */
  public Delivery take(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lockInterruptibly();
    try {
      while (true) {
        Delivery d = next();
        if (d != null) {
          bytesOf(sideOf(d)).addAndGet(-d.size());
          return d;
        }
        if (nanos <= 0) {
          return null;
        }
        idle++;
        try {
          nanos = ready.awaitNanos(nanos);
        } finally {
          idle--;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The job a lane sending {@code current} takes ahead (pipelined DATA), or null: never while a
   * lane waits in {@link #take} (that lane takes it now), and a bulk job taken behind a bulk one
   * keeps the lane's bulk slot ({@link #done} of {@code current} does not free it), so a lane holds
   * at most one of the bulk lanes.
   */
  public Delivery takeAhead(Delivery current) {
    lock.lock();
    try {
      if (idle > 0) {
        return null;
      }
      boolean ownSlot = pick != null && current.bulk();
      if (ownSlot) {
        bulkHeld--; // the lane's slot, for its next job
      }
      Delivery d = next();
      if (d == null || !d.bulk() || pick == null) {
        if (ownSlot) {
          bulkHeld++;
        }
      } else if (ownSlot) {
        passed.add(current); // the slot goes on with d: next() counted it again
      }
      if (d != null) {
        bytesOf(sideOf(d)).addAndGet(-d.size());
      }
      return d;
    } finally {
      lock.unlock();
    }
  }

  /** Lanes waiting in {@link #take} for a job. */
  public int idleLanes() {
    lock.lock();
    try {
      return idle;
    } finally {
      lock.unlock();
    }
  }

  private Delivery next() {
    if (pick == null) {
      return transactional.poll();
    }
    return switch (pick.choose(!transactional.isEmpty(), !bulk.isEmpty(), bulkHeld)) {
      case TRANSACTIONAL -> transactional.poll();
      case BULK -> {
        bulkHeld++;
        yield bulk.poll();
      }
      case NONE -> null;
    };
  }

  /**
   * A lane is done with a delivery it took (handled, or skipped as revoked): a bulk lane is free
   * again.
   */
  public void done(Delivery d) {
    if (pick == null || !d.bulk()) {
      return;
    }
    lock.lock();
    try {
      if (passed.remove(d)) {
        return; // its slot is the job taken ahead behind it
      }
      bulkHeld--;
      ready.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Takes back the deliveries that match, before any lane starts them. */
  public List<Delivery> removeIf(Predicate<Delivery> which) {
    List<Delivery> removed = new ArrayList<>();
    lock.lock();
    try {
      for (ArrayDeque<Delivery> q : List.of(transactional, bulk)) {
        q.removeIf(
            d -> {
              if (which.test(d)) {
                removed.add(d);
                bytesOf(q).addAndGet(-d.size());
                return true;
              }
              return false;
            });
      }
    } finally {
      lock.unlock();
    }
    return removed;
  }

  /**
   * Full: every partition is paused (with the classes on, the transactional side's: its count, or
   * its bytes with those held aside).
   */
  public boolean full() {
    return transactionalSize() >= highWater || bytes.get() + aside.get() >= highWaterBytes;
  }

  public boolean belowLowWater() {
    return transactionalSize() <= highWater / 2 && bytes.get() + aside.get() <= highWaterBytes / 2;
  }

  /**
   * With the classes on, bulk jobs fill their side, by count or by half the byte bound: bulk
   * partitions (and the tiers, which may hold bulk retries) are paused.
   */
  public boolean bulkFull() {
    return bulkSize() >= highWater || bulkBytes.get() >= highWaterBytes / 2;
  }

  /** A payload held outside the queue until {@link #releaseAside}: counted in the byte bound. */
  public void holdAside(Delivery d) {
    aside.addAndGet(d.size());
  }

  public void releaseAside(Delivery d) {
    aside.addAndGet(-d.size());
  }

  public int size() {
    lock.lock();
    try {
      return transactional.size() + bulk.size();
    } finally {
      lock.unlock();
    }
  }

  /** Jobs of class {@code c} waiting (with the classes off, counted in the one queue). */
  public int size(JobClass c) {
    lock.lock();
    try {
      if (pick == null) {
        boolean isBulk = c == JobClass.BULK;
        return (int) transactional.stream().filter(d -> d.bulk() == isBulk).count();
      }
      return c == JobClass.BULK ? bulk.size() : transactional.size();
    } finally {
      lock.unlock();
    }
  }

  /** Bulk jobs lanes hold now. */
  public int bulkHeld() {
    lock.lock();
    try {
      return bulkHeld;
    } finally {
      lock.unlock();
    }
  }

  private int bulkSize() {
    lock.lock();
    try {
      return bulk.size();
    } finally {
      lock.unlock();
    }
  }

  /** The side {@link #full()} counts: with the classes off, the one queue. */
  private int transactionalSize() {
    lock.lock();
    try {
      return transactional.size();
    } finally {
      lock.unlock();
    }
  }

  private AtomicLong bytesOf(ArrayDeque<Delivery> side) {
    return side == bulk ? bulkBytes : bytes;
  }

  private ArrayDeque<Delivery> sideOf(Delivery d) {
    return pick != null && d.bulk() ? bulk : transactional;
  }
}
