package dev.postbus.worker.config;

import java.util.Set;

/**
 * The suppression list and the bounce-rate guard.
 *
 * @param suppressionCodes permanent enhanced codes that put a recipient on the list (empty: none)
 * @param guardWindow recipients the guard judges
 * @param guardMaxBounceRate share of them refused permanently that pauses delivery (0: off)
 * @param guardMaxComplaintRate share of the recipients sent within {@code guardFeedbackWindow} that
 *     complained that pauses delivery (0: off)
 * @param guardFeedbackWindow the sends judged with the bounces and complaints reported later
 */
public record ReputationSettings(
    Set<String> suppressionCodes,
    int guardWindow,
    double guardMaxBounceRate,
    double guardMaxComplaintRate,
    java.time.Duration guardFeedbackWindow) {
  public ReputationSettings {
    suppressionCodes = Set.copyOf(suppressionCodes);
  }

  public boolean guardOn() {
    return guardMaxBounceRate > 0;
  }

  /** Whether the guard reads the feedback topic (a bounce or a complaint limit is set). */
  public boolean feedbackGuardOn() {
    return guardMaxBounceRate > 0 || guardMaxComplaintRate > 0;
  }

  /** The defaults of the configuration reference. */
  public static ReputationSettings defaults() {
    return new ReputationSettings(
        ReputationKeys.SUPPRESSION_CODES.defaultValue(),
        ReputationKeys.GUARD_WINDOW.defaultValue(),
        ReputationKeys.GUARD_MAX_BOUNCE_RATE.defaultValue(),
        ReputationKeys.GUARD_MAX_COMPLAINT_RATE.defaultValue(),
        ReputationKeys.GUARD_FEEDBACK_WINDOW.defaultValue());
  }
}
