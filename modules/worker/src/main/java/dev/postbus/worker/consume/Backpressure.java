package dev.postbus.worker.consume;

import dev.postbus.worker.dispatch.DispatchQueue;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether every partition is paused: from when the dispatch queue is full or delivery is held (any
 * hold of {@code Holds}) until the queue is below its low-water mark and nothing holds delivery;
 * with the classes on, a full transactional side pauses only the partitions of transactional jobs
 * and the retry tiers ({@link #everything()} false). It only decides; {@link Pauses} pauses and
 * resumes. Consumer thread only.
 */
final class Backpressure {

  private static final Logger log = LoggerFactory.getLogger(ConsumeLoop.class);

  private final DispatchQueue queue;
  private final BooleanSupplier deliveryHeld;
  private boolean paused;
  private boolean everything;

  Backpressure(DispatchQueue queue, BooleanSupplier deliveryHeld) {
    this.queue = queue;
    this.deliveryHeld = deliveryHeld;
  }

  /** True while every partition is to be paused. */
  boolean paused() {
    return paused;
  }

  /**
   * True while the pause is for every partition whatever its class: delivery held, or the classes
   * off. (With the classes on, a full transactional side, by count or bytes, pauses the
   * transactional partitions only; the bulk side has its own bounds, {@link ClassPauses}.)
   */
  boolean everything() {
    return everything;
  }

  /** Judges again; returns {@link #paused()}. */
  boolean update() {
    boolean holding = deliveryHeld.getAsBoolean();
    if (paused) {
      everything = everything || holding;
    }
    if (!paused && (queue.full() || holding)) {
      paused = true;
      everything = holding || !queue.classesOn();
      log.debug("pausing all partitions (queue {}, delivery held {})", queue.size(), holding);
    } else if (paused && !holding && queue.belowLowWater()) {
      paused = false;
      everything = false;
      log.debug("resuming partitions (queue {})", queue.size());
    }
    return paused;
  }
}
