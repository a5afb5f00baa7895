package dev.postbus.worker.config;

/**
 * How the worker schedules the two job classes.
 *
 * @param on false: one first-come first-served queue over both topics
 * @param transactionalLanes lanes that never take a bulk job (fewer than the lanes)
 * @param bulkFloor the share of sends that go to bulk while both classes wait, in [0, 1)
 * @param derived the lanes kept were not set but derived from the lanes (⌈lanes / 4⌉): derived
 *     again for a configuration built with other lanes ({@link #forLanes})
 */
public record ClassSettings(boolean on, int transactionalLanes, double bulkFloor, boolean derived) {

  /** Lanes kept set explicitly. */
  public ClassSettings(boolean on, int transactionalLanes, double bulkFloor) {
    this(on, transactionalLanes, bulkFloor, false);
  }

  public ClassSettings {
    if (transactionalLanes < 0) {
      throw new ConfigException(
          ClassKeys.TRANSACTIONAL_LANES.name() + ": must be 0 or more, got " + transactionalLanes);
    }
    if (!(bulkFloor >= 0 && bulkFloor < 1)) {
      throw new ConfigException(
          ClassKeys.BULK_FLOOR.name() + ": must be in [0, 1), got " + bulkFloor);
    }
  }

  /** The default for {@code lanes}: on, ⌈lanes / 4⌉ kept for transactional mail, a 10% floor. */
  public static ClassSettings defaults(int lanes) {
    return derived(true, ClassKeys.BULK_FLOOR.defaultValue(), lanes);
  }

  /** The lanes kept not set: ⌈lanes / 4⌉ of {@code lanes}. */
  static ClassSettings derived(boolean on, double bulkFloor, int lanes) {
    return new ClassSettings(on, reservedFor(lanes), bulkFloor, true);
  }

  /** These settings for a worker of {@code lanes}: a derived reservation derived again. */
  ClassSettings forLanes(int lanes) {
    return derived ? derived(on, bulkFloor, lanes) : this;
  }

  /** ⌈lanes / 4⌉, and always at least one lane left for bulk. */
  static int reservedFor(int lanes) {
    return Math.min((lanes + 3) / 4, Math.max(0, lanes - 1));
  }

  /** Refuses a reservation that would leave no lane for bulk. */
  void checkAgainst(int lanes) {
    if (on && transactionalLanes >= lanes) {
      throw new ConfigException(
          ClassKeys.TRANSACTIONAL_LANES.name()
              + ": "
              + transactionalLanes
              + " lanes kept for transactional mail leaves none for bulk (the worker has "
              + lanes
              + " lanes)");
    }
  }
}
