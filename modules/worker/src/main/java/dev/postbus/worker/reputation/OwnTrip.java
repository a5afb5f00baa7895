package dev.postbus.worker.reputation;

/**
 * This worker's own trip of the bounce-rate guard on the suppressions topic, to tell a stale resume
 * from a real one: a resume tombstone written before our newer trip record (read later by our
 * follower) must not resume us. Holds the offset Kafka gave our trip; while it is being written,
 * every tombstone waits for that offset. Thread-safe (a lane trips, Kafka answers, the reader
 * reads).
 */
final class OwnTrip {

  private long generation;
  private boolean writing;
  private long tripOffset = -1;
  private long lastResume = -1;

  /** A trip is being written; returns its generation. */
  synchronized long writing() {
    writing = true;
    return ++generation;
  }

  /** False once a resume or a newer trip made this write needless. */
  synchronized boolean wanted(long gen) {
    return writing && gen == generation;
  }

  /**
   * Kafka took our trip at {@code offset}. True when a resume newer than it was read meanwhile (it
   * was held back while the trip's offset was unknown): it applies now.
   */
  synchronized boolean written(long gen, long offset) {
    if (gen != generation) {
      return false;
    }
    writing = false;
    tripOffset = offset;
    return lastResume > offset;
  }

  /** An operator resumed here: a trip not yet written is no longer wanted. */
  synchronized void resumed() {
    writing = false;
    generation++;
  }

  /** Whether a resume tombstone at {@code offset} resumes this worker. */
  synchronized boolean resumes(long offset) {
    lastResume = Math.max(lastResume, offset);
    return !writing && offset > tripOffset;
  }
}
