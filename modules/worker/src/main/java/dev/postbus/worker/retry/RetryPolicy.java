package dev.postbus.worker.retry;

import dev.postbus.durations.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * The non-blocking retry ladder as a pure decision: after a transient failure, which tier and when,
 * or give up. Tier i waits {@code delays[i]} (with jitter); the last tier is reused until {@code
 * maxAttempts} or {@code maxAge} is reached. A "try again in N" hint moves the record up to the
 * first tier at least that long.
 */
public record RetryPolicy(List<Duration> delays, int maxAttempts, Duration maxAge, double jitter) {

  public static final List<Duration> DEFAULT_DELAYS =
      List.of(
          Duration.ofSeconds(30),
          Duration.ofMinutes(5),
          Duration.ofMinutes(30),
          Duration.ofHours(2));

  public RetryPolicy {
    delays = List.copyOf(delays);
    if (delays.isEmpty()) {
      throw new IllegalArgumentException("retry.delays must name at least one delay");
    }
    if (new HashSet<>(delays).size() != delays.size()) {
      throw new IllegalArgumentException(
          "retry.delays must not repeat a delay (each names a topic): " + delays);
    }
    for (int i = 1; i < delays.size(); i++) {
      if (delays.get(i).compareTo(delays.get(i - 1)) < 0) {
        throw new IllegalArgumentException("retry.delays must be in increasing order: " + delays);
      }
    }
    if (jitter < 0 || jitter >= 1) {
      throw new IllegalArgumentException(
          "retry.jitter must be at least 0 and below 1, got " + jitter);
    }
  }

  /** What to do after a failed attempt. */
  public sealed interface Decision {}

  /** Publish to tier {@code tier}, due at {@code due}. */
  public record RetryAt(int tier, Instant due) implements Decision {}

  /** Stop trying: dead-letter as expired. */
  public record GiveUp(String reason) implements Decision {}

  /**
   * @param attempts attempts made so far, including the one that just failed
   * @param firstFailure when the first attempt failed
   * @param hint the relay's "try again in" hint, or null
   * @param random a source of numbers in [0, 1) for the jitter
   */
  public Decision next(
      int attempts, Instant firstFailure, Instant now, Duration hint, DoubleSupplier random) {
    if (attempts >= maxAttempts) {
      return new GiveUp("gave up after " + attempts + " attempts (retry.max-attempts)");
    }
    Duration age = Duration.between(firstFailure, now);
    if (age.compareTo(maxAge) >= 0) {
      return new GiveUp(
          "gave up after "
              + attempts
              + " attempts over "
              + age.toMinutes()
              + " min (retry.max-age)");
    }
    int tier = Math.min(attempts - 1, delays.size() - 1);
    while (hint != null && tier < delays.size() - 1 && delays.get(tier).compareTo(hint) < 0) {
      tier++;
    }
    long base = delays.get(tier).toMillis();
    long jittered = Math.round(base * (1 + jitter * (2 * random.getAsDouble() - 1)));
    return new RetryAt(tier, now.plusMillis(Math.max(0, jittered)));
  }

  /**
   * Where a job that must not be sent before {@code until} waits: the shortest tier that covers the
   * wait, due at {@code until}; a wait longer than the longest tier takes that tier and is checked
   * again when it comes back. Not an attempt: nothing failed.
   */
  public RetryAt hold(Instant until, Instant now) {
    Duration wait = Duration.between(now, until);
    for (int tier = 0; tier < delays.size(); tier++) {
      if (delays.get(tier).compareTo(wait) >= 0) {
        return new RetryAt(tier, until);
      }
    }
    int last = delays.size() - 1;
    return new RetryAt(last, now.plus(delays.get(last)));
  }

  /**
   * The topic of tier {@code i}: {@code <jobs topic>.retry.<delay>}, e.g. {@code
   * postbus.jobs.retry.30s}.
   */
  public String topic(String jobsTopic, int tier) {
    return jobsTopic + ".retry." + Durations.format(delays.get(tier));
  }

  public List<String> topics(String jobsTopic) {
    return java.util.stream.IntStream.range(0, delays.size())
        .mapToObj(i -> topic(jobsTopic, i))
        .toList();
  }
}
