package dev.postbus.worker.dispatch;

/**
 * Which class a free lane serves next: the pure decision of the dispatch queue, unit-tested alone.
 * Transactional first; bulk only within the lanes not kept for transactional mail; and while both
 * classes wait, bulk gets {@code bulkFloor} of the sends (after n such choices, ⌊n × bulkFloor⌋
 * went to bulk), so a steady transactional stream cannot starve a campaign. Not thread-safe: the
 * queue calls it under its lock.
 */
public final class ClassPick {

  /** What a free lane takes. */
  public enum Choice {
    TRANSACTIONAL,
    BULK,
    /** Nothing it may take: no job, or only bulk with every bulk lane busy. */
    NONE
  }

  private final int bulkLanes;
  private final double bulkFloor;
  private long bothWaiting; // choices made while both classes could be served
  private long bulkChosen; // of those, the bulk ones

  /**
   * @param lanes the worker's sender lanes
   * @param transactionalLanes lanes that never take a bulk job (fewer than {@code lanes})
   * @param bulkFloor the share of sends bulk gets while both classes wait, in [0, 1)
   */
  public ClassPick(int lanes, int transactionalLanes, double bulkFloor) {
    if (transactionalLanes < 0 || transactionalLanes >= lanes) {
      throw new IllegalArgumentException(
          "transactional lanes must be in [0, " + lanes + "), got " + transactionalLanes);
    }
    if (!(bulkFloor >= 0 && bulkFloor < 1)) {
      throw new IllegalArgumentException("bulk floor must be in [0, 1), got " + bulkFloor);
    }
    this.bulkLanes = lanes - transactionalLanes;
    this.bulkFloor = bulkFloor;
  }

  /** The most bulk jobs lanes may hold at once. */
  public int bulkLanes() {
    return bulkLanes;
  }

  /**
   * @param transactionalWaiting a transactional job is queued
   * @param bulkWaiting a bulk job is queued
   * @param bulkHeld bulk jobs lanes hold now (taken and not yet handled)
   */
  public Choice choose(boolean transactionalWaiting, boolean bulkWaiting, int bulkHeld) {
    Choice c = next(transactionalWaiting, bulkWaiting, bulkHeld);
    count(transactionalWaiting, bulkWaiting && bulkHeld < bulkLanes, c);
    return c;
  }

  /** What {@link #choose} would answer, without counting it for the floor. */
  public Choice next(boolean transactionalWaiting, boolean bulkWaiting, int bulkHeld) {
    boolean bulkMay = bulkWaiting && bulkHeld < bulkLanes;
    if (!transactionalWaiting) {
      return bulkMay ? Choice.BULK : Choice.NONE;
    }
    if (!bulkMay) {
      return Choice.TRANSACTIONAL;
    }
    // the choice made now is the (bothWaiting + 1)th while both could be served
    return (long) Math.floor(bulkFloor * (bothWaiting + 1) + 1e-9) > bulkChosen
        ? Choice.BULK
        : Choice.TRANSACTIONAL;
  }

  /**
   * Counts a choice for the floor (choices made while both classes could be served count); for a
   * caller that looked with {@link #next} and took later.
   */
  public void count(boolean transactionalWaiting, boolean bulkMay, Choice made) {
    if (transactionalWaiting && bulkMay) {
      bothWaiting++;
      if (made == Choice.BULK) {
        bulkChosen++;
      }
    }
  }
}
