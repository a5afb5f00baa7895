package dev.postbus.worker.dispatch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The bounded hand-over from the consumer thread to the sender lanes, by count and by payload
 * bytes. The consumer pauses its partitions when {@link #full()} and resumes at {@link
 * #belowLowWater()}; the extra room of one poll's worth of records makes {@link #add} never block.
 * Payloads the consumer side holds outside the queue ({@link #holdAside}: a ledger skip's event
 * being written again) count in the byte bound too.
 */
public final class DispatchQueue {

  private final ArrayBlockingQueue<Delivery> queue;
  private final int highWater;
  private final long highWaterBytes;
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong aside = new AtomicLong();

  public DispatchQueue(int highWater, long highWaterBytes, int maxPollRecords) {
    this.queue = new ArrayBlockingQueue<>(highWater + maxPollRecords);
    this.highWater = highWater;
    this.highWaterBytes = highWaterBytes;
  }

  public void add(Delivery d) {
    if (!queue.offer(d)) {
      throw new IllegalStateException(
          "dispatch queue over capacity: the consumer should have paused");
    }
    bytes.addAndGet(d.size());
  }

  /** The next delivery, or null after {@code timeout}. */
  public Delivery take(Duration timeout) throws InterruptedException {
    Delivery d = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (d != null) {
      bytes.addAndGet(-d.size());
    }
    return d;
  }

  /** Takes back the deliveries that match, before any lane starts them. */
  public List<Delivery> removeIf(Predicate<Delivery> which) {
    List<Delivery> removed = new ArrayList<>();
    queue.removeIf(
        d -> {
          if (which.test(d)) {
            removed.add(d);
            bytes.addAndGet(-d.size());
            return true;
          }
          return false;
        });
    return removed;
  }

  public boolean full() {
    return queue.size() >= highWater || bytes.get() + aside.get() >= highWaterBytes;
  }

  public boolean belowLowWater() {
    return queue.size() <= highWater / 2 && bytes.get() + aside.get() <= highWaterBytes / 2;
  }

  /** A payload held outside the queue until {@link #releaseAside}: counted in the byte bound. */
  public void holdAside(Delivery d) {
    aside.addAndGet(d.size());
  }

  public void releaseAside(Delivery d) {
    aside.addAndGet(-d.size());
  }

  public int size() {
    return queue.size();
  }
}
