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
 * @param guardFeedback whether the guard reads the feedback topic at all (off by default)
 * @param guardFeedbackMaxRecipients the most recipients the feedback window keeps
 */
public record ReputationSettings(
    Set<String> suppressionCodes,
    int guardWindow,
    double guardMaxBounceRate,
    double guardMaxComplaintRate,
    java.time.Duration guardFeedbackWindow,
    boolean guardFeedback,
    int guardFeedbackMaxRecipients) {
  public ReputationSettings {
    suppressionCodes = Set.copyOf(suppressionCodes);
  }

  public boolean guardOn() {
    return guardMaxBounceRate > 0;
  }

  /**
   * Whether the guard reads the feedback topic: asked for (guard.feedback) and a bounce or a
   * complaint limit is set.
   */
  public boolean feedbackGuardOn() {
    return guardFeedback && (guardMaxBounceRate > 0 || guardMaxComplaintRate > 0);
  }

  /** The defaults of the configuration reference. */
  public static ReputationSettings defaults() {
    return new ReputationSettings(
        ReputationKeys.SUPPRESSION_CODES.defaultValue(),
        ReputationKeys.GUARD_WINDOW.defaultValue(),
        ReputationKeys.GUARD_MAX_BOUNCE_RATE.defaultValue(),
        ReputationKeys.GUARD_MAX_COMPLAINT_RATE.defaultValue(),
        ReputationKeys.GUARD_FEEDBACK_WINDOW.defaultValue(),
        ReputationKeys.GUARD_FEEDBACK.defaultValue(),
        ReputationKeys.GUARD_FEEDBACK_MAX_RECIPIENTS.defaultValue());
  }
}
