package dev.postbus.worker.config;

import static dev.postbus.worker.config.Importance.FREQUENT;
import static dev.postbus.worker.config.Importance.RARE;

import dev.postbus.job.JobLimits;

/**
 * The keys that bound what a worker sends and accepts: its rates, its parallel sends per recipient
 * domain, and the size of a job. Every key is also listed, in the order of the configuration
 * reference, in {@link Keys#ALL}.
 */
public final class LimitKeys {

  private LimitKeys() {}

  public static final ConfigKey<Integer> RATE_LIMIT =
      ConfigKey.of(
          "rate-limit",
          FREQUENT,
          ValueType.integer(0, 1_000_000),
          0,
          "Most messages per second this worker sends (0: no limit of its own).");

  public static final ConfigKey<Integer> RATE_LIMIT_GLOBAL =
      ConfigKey.of(
          "rate-limit-global",
          FREQUENT,
          ValueType.integer(0, 1_000_000),
          0,
          "Most messages per second the whole group sends (0: no limit). Each worker "
              + "takes its share by the partitions it consumes (jobs and retry tiers), re-divided on every rebalance; no shared store.");

  public static final ConfigKey<java.util.Map<String, Integer>> DOMAIN_CONCURRENCY =
      new ConfigKey<>(
          "smtp.domain-concurrency",
          RARE,
          ValueType.domainCaps(),
          java.util.Map.of(),
          "none",
          false,
          "At most this many parallel sends to a recipient domain, per worker, e.g. gmail.com=5 (for sending straight "
              + "to receiving servers); other domains use every connection.");

  public static final ConfigKey<Integer> JOB_MAX_BYTES =
      ConfigKey.of(
          "job.max-bytes",
          FREQUENT,
          ValueType.bytes(1024, 100 * 1024 * 1024),
          JobLimits.DEFAULT_MAX_PAYLOAD_BYTES,
          "Largest job payload accepted; larger records are dead-lettered before parsing.");

  public static final ConfigKey<Integer> JOB_MAX_ATTACHMENT_BYTES =
      ConfigKey.computed(
          "job.max-attachment-bytes",
          RARE,
          ValueType.bytes(1, 100 * 1024 * 1024),
          "7340032 (7 MiB), or job.max-bytes when that is smaller",
          "Largest single attachment, decoded.");

  public static final ConfigKey<Integer> JOB_MAX_RECIPIENTS =
      ConfigKey.of(
          "job.max-recipients",
          RARE,
          ValueType.integer(1, 10_000),
          JobLimits.DEFAULT_MAX_RECIPIENTS,
          "Most recipients (to + cc + bcc) in one job.");
}
