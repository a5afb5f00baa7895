package dev.postbus.worker.config;

import static dev.postbus.worker.config.Importance.FREQUENT;

import java.util.List;

/**
 * The keys of the sender's reputation: the suppression list and the bounce-rate guard. Every key is
 * also listed, in the order of the configuration reference, in {@link Keys#ALL}.
 */
public final class ReputationKeys {

  private ReputationKeys() {}

  public static final ConfigKey<java.util.Set<String>> SUPPRESSION_CODES =
      new ConfigKey<>(
          "suppression.codes",
          FREQUENT,
          ValueType.permanentEnhancedCodes(),
          new java.util.LinkedHashSet<>(List.of("5.1.1", "5.1.2", "5.1.10", "5.2.1")),
          "5.1.1,5.1.2,5.1.10,5.2.1",
          false,
          "A recipient refused permanently with one of these enhanced codes (the mailbox or its domain does not "
              + "exist, or is disabled) goes on the suppression list (<topic>.suppressions), and no worker mails it "
              + "again; none: the workers add nothing (operators still can). Transient refusals never suppress.");

  public static final ConfigKey<Integer> GUARD_WINDOW =
      ConfigKey.of(
          "guard.window",
          FREQUENT,
          ValueType.integer(10, 1_000_000),
          1000,
          "The bounce-rate guard watches this many of the worker's most recent recipients; it judges only a full "
              + "window.");

  public static final ConfigKey<Double> GUARD_MAX_BOUNCE_RATE =
      ConfigKey.of(
          "guard.max-bounce-rate",
          FREQUENT,
          ValueType.fraction(0, 1),
          0.08,
          "When more than this share of the last guard.window recipients were refused permanently, the worker "
              + "pauses delivery (PAUSED, not ready), and with it every worker of the group, also across restarts (the "
              + "trip is kept on the suppressions topic), until `postbus resume`: a bad list must not get the "
              + "sender's relay account suspended (Amazon SES reviews an account at 5% bounces and may pause it at "
              + "10%). 0 turns the guard off.");

  public static final ConfigKey<Double> GUARD_MAX_COMPLAINT_RATE =
      ConfigKey.of(
          "guard.max-complaint-rate",
          FREQUENT,
          ValueType.fraction(0, 1),
          0.003,
          "When this share or more of the recipients the worker sent within guard.feedback-window (at "
              + "least guard.window of them) complained (marked the message as spam; the complaints come from "
              + "<topic>.feedback, written by `postbus feedback`), the worker pauses delivery as for bounces, "
              + "for the whole group and across restarts, until `postbus resume`. The default is Gmail's "
              + "bulk-sender rule: a spam rate under 0.3%. At least 3 complaints are needed as well, so one person "
              + "does not pause the group. The rate is of this worker's own sends (each worker judges its "
              + "own), yet a trip pauses the whole group. 0 turns it off.");

  public static final ConfigKey<java.time.Duration> GUARD_FEEDBACK_WINDOW =
      ConfigKey.of(
          "guard.feedback-window",
          FREQUENT,
          ValueType.duration(java.time.Duration.ofHours(1), java.time.Duration.ofDays(7)),
          java.time.Duration.ofDays(1),
          "Bounces and complaints reported later (read from <topic>.feedback) count against the recipients "
              + "this worker sent within this window, when they were one of them: the bounce rate (refused at once "
              + "or reported later) against guard.max-bounce-rate, the complaint rate against "
              + "guard.max-complaint-rate, judged once guard.window recipients were sent in it. Only with guard.feedback=true; each worker "
              + "then keeps about 12 to 24 bytes per recipient sent in the window (a 64-bit hash in a hash map), "
              + "at most guard.feedback-max-recipients of them.");

  public static final ConfigKey<Boolean> GUARD_FEEDBACK =
      ConfigKey.of(
          "guard.feedback",
          FREQUENT,
          ValueType.bool(),
          false,
          "true: the guard also reads <topic>.feedback (written by `postbus feedback`; the worker needs READ on "
              + "it) and judges the bounces and complaints reported later against the recipients sent within "
              + "guard.feedback-window. Off by default: it keeps a hash of every recipient sent in the window.");

  public static final ConfigKey<Integer> GUARD_FEEDBACK_MAX_RECIPIENTS =
      ConfigKey.of(
          "guard.feedback-max-recipients",
          FREQUENT,
          ValueType.integer(1000, 20_000_000),
          1_000_000,
          "The most recipients the feedback guard keeps (at most about 24 bytes each: 24 MiB by default). "
              + "When full, the oldest slice of guard.feedback-window is dropped early (counted in "
              + "postbus_guard_feedback_dropped_total, said once in the log), so the window is shorter.");
}
