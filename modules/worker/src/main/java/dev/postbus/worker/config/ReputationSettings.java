package dev.postbus.worker.config;

import java.util.Set;

/**
 * The suppression list and the bounce-rate guard.
 *
 * @param suppressionCodes permanent enhanced codes that put a recipient on the list (empty: none)
 * @param guardWindow recipients the guard judges
 * @param guardMaxBounceRate share of them refused permanently that pauses delivery (0: off)
 */
public record ReputationSettings(
    Set<String> suppressionCodes, int guardWindow, double guardMaxBounceRate) {
  public ReputationSettings {
    suppressionCodes = Set.copyOf(suppressionCodes);
  }

  public boolean guardOn() {
    return guardMaxBounceRate > 0;
  }

  /** The defaults of the configuration reference. */
  public static ReputationSettings defaults() {
    return new ReputationSettings(
        ReputationKeys.SUPPRESSION_CODES.defaultValue(),
        ReputationKeys.GUARD_WINDOW.defaultValue(),
        ReputationKeys.GUARD_MAX_BOUNCE_RATE.defaultValue());
  }
}
