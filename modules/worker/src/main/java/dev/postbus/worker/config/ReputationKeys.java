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
}
