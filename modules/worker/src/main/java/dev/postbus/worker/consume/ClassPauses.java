package dev.postbus.worker.consume;

/**
 * Whether bulk partitions are paused: the pure decision, unit-tested alone. Bulk waits in Kafka
 * while transactional jobs wait (queued, or lagging on the jobs topic), but for the few bulk jobs
 * kept queued so that bulk gets its floor ({@code floorReserve}: the bulk lanes when the floor is
 * above 0); and always when the bulk side of the dispatch queue is full.
 */
final class ClassPauses {

  private final int floorReserve;

  /**
   * @param floorReserve bulk jobs kept queued while transactional jobs wait (0: none)
   */
  ClassPauses(int floorReserve) {
    if (floorReserve < 0) {
      throw new IllegalArgumentException("floor reserve must be 0 or more, got " + floorReserve);
    }
    this.floorReserve = floorReserve;
  }

  /**
   * @param transactionalQueued transactional jobs in the dispatch queue
   * @param transactionalLag records of the jobs topic this worker owns and has not fetched
   * @param bulkQueued bulk jobs in the dispatch queue
   * @param bulkFull the bulk side of the dispatch queue is full
   */
  boolean pauseBulk(
      int transactionalQueued, long transactionalLag, int bulkQueued, boolean bulkFull) {
    if (bulkFull) {
      return true;
    }
    boolean transactionalWaits = transactionalQueued > 0 || transactionalLag > 0;
    return transactionalWaits && bulkQueued >= floorReserve;
  }
}
