package dev.postbus.worker.config;

import static dev.postbus.worker.config.Importance.FREQUENT;
import static dev.postbus.worker.config.Importance.RARE;

import dev.postbus.smtp.OutcomeClass;
import dev.postbus.worker.retry.RetryPolicy;
import java.time.Duration;

/**
 * The keys of failures: the retry ladder, when a job expires, what an in-doubt send becomes, how
 * reply codes are classified and how often a send is tried again at once on a fresh connection.
 * Every key is also listed, in the order of the configuration reference, in {@link Keys#ALL}.
 */
public final class RetryKeys {

  private RetryKeys() {}

  public static final ConfigKey<java.util.List<Duration>> DELAYS =
      new ConfigKey<>(
          "retry.delays",
          FREQUENT,
          ValueType.durations(Duration.ofMillis(100), Duration.ofDays(7)),
          RetryPolicy.DEFAULT_DELAYS,
          "30s,5m,30m,2h",
          false,
          "The retry ladder: one topic per delay (<topic>.retry.<delay>), in increasing order; the last is reused.");

  public static final ConfigKey<Integer> MAX_ATTEMPTS =
      ConfigKey.of(
          "retry.max-attempts",
          FREQUENT,
          ValueType.integer(1, 1000),
          10,
          "Delivery attempts before a transiently failing job is dead-lettered as expired.");

  public static final ConfigKey<Duration> MAX_AGE =
      ConfigKey.of(
          "retry.max-age",
          FREQUENT,
          ValueType.duration(Duration.ofSeconds(1), Duration.ofDays(30)),
          Duration.ofHours(24),
          "Time since the first failure after which a job is dead-lettered as expired.");

  public static final ConfigKey<Double> JITTER =
      ConfigKey.of(
          "retry.jitter",
          RARE,
          ValueType.fraction(0, 1),
          0.2,
          "Each retry delay is varied by up to this fraction either way.");

  public static final ConfigKey<InDoubtPolicy> IN_DOUBT =
      ConfigKey.of(
          "retry.in-doubt",
          FREQUENT,
          ValueType.choice(InDoubtPolicy.values()),
          InDoubtPolicy.RETRY,
          "A connection lost after the final '.' (acceptance unknown): retry (risking a duplicate) or dead-letter.");

  public static final ConfigKey<java.util.Map<String, OutcomeClass>> CLASS_OVERRIDES =
      new ConfigKey<>(
          "smtp.class-overrides",
          FREQUENT,
          ValueType.classOverrides(),
          java.util.Map.of(),
          "none",
          false,
          "Change the class of reply codes, e.g. 550=transient,4.7.*=permanent; the most specific code wins.");

  public static final ConfigKey<Integer> FRESH_CONNECTION_ATTEMPTS =
      ConfigKey.of(
          "retry.fresh-connection-attempts",
          RARE,
          ValueType.integer(1, 5),
          2,
          "Attempts, in-process and at once, on a new connection after a connection-level "
              + "failure (stale socket, 421), before the job goes to the retry ladder.");
}
