package dev.postbus.worker.config;

import dev.postbus.job.JobLimits;
import dev.postbus.job.UnsubscribeToken;
import dev.postbus.job.VerpToken;
import dev.postbus.worker.retry.RetryPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Reads a {@link WorkerConfig} from {@link Settings} (file, environment, defaults): each key's
 * value through its {@link ConfigKey}, the relays through {@link RelayReader}; a value that a
 * setting's own constructor refuses becomes a {@link ConfigException}.
 */
final class WorkerConfigReader {

  /**
   * The smallest dispatch queue, whatever the lanes (worker.queue-capacity's default is 2 × lanes,
   * at least this).
   */
  private static final int MIN_QUEUE_CAPACITY = 64;

  private WorkerConfigReader() {}

  static WorkerConfig read(Settings s) {
    FailureSettings failures = orConfigError(() -> failures(s));
    JobLimits limits = orConfigError(() -> limits(s));
    List<RelayConfig> relays = RelayReader.relays(s);
    WorkerConfigChecks.checkKafkaLostAfter(s.require(WorkerKeys.KAFKA_LOST_AFTER), s.kafkaClient());
    WorkerConfigBuilder b = WorkerConfig.builder().limits(limits).failures(failures);
    kafka(s, b);
    worker(s, b, WorkerConfigChecks.lanes(relays));
    return b.relayMode(s.require(RelayKeys.MODE))
        .relays(relays)
        .rateLimit(s.require(LimitKeys.RATE_LIMIT))
        .rateLimitGlobal(s.require(LimitKeys.RATE_LIMIT_GLOBAL))
        .reconnectBackoff(s.require(SmtpKeys.RECONNECT_BACKOFF))
        .reconnectBackoffMax(s.require(SmtpKeys.RECONNECT_BACKOFF_MAX))
        .domainConcurrency(s.require(LimitKeys.DOMAIN_CONCURRENCY))
        .reputation(
            new ReputationSettings(
                s.require(ReputationKeys.SUPPRESSION_CODES),
                s.require(ReputationKeys.GUARD_WINDOW),
                s.require(ReputationKeys.GUARD_MAX_BOUNCE_RATE),
                s.require(ReputationKeys.GUARD_MAX_COMPLAINT_RATE),
                s.require(ReputationKeys.GUARD_FEEDBACK_WINDOW),
                s.require(ReputationKeys.GUARD_FEEDBACK),
                s.require(ReputationKeys.GUARD_FEEDBACK_MAX_RECIPIENTS)))
        .httpPort(s.require(WorkerKeys.HTTP_PORT))
        .adminTokenFile(s.get(WorkerKeys.HTTP_ADMIN_TOKEN_FILE).orElse(null))
        .returnPath(returnPath(s))
        .unsubscribe(unsubscribe(s))
        .classes(classes(s, WorkerConfigChecks.lanes(relays)))
        .build();
  }

  /** Kafka: where, which topics, the group, how the worker watches it. */
  private static void kafka(Settings s, WorkerConfigBuilder b) {
    b.bootstrapServers(s.require(KafkaKeys.BOOTSTRAP_SERVERS))
        .topic(s.require(KafkaKeys.TOPIC))
        .group(s.require(KafkaKeys.GROUP))
        .topics(
            new TopicSettings(
                s.require(KafkaKeys.TOPICS_AUTO_CREATE),
                s.require(KafkaKeys.TOPICS_PARTITIONS),
                s.require(KafkaKeys.TOPICS_REPLICATION).shortValue()))
        .eventsTopic(s.require(KafkaKeys.EVENTS_ENABLED) ? s.require(KafkaKeys.EVENTS_TOPIC) : null)
        .ledgerWindow(
            s.require(KafkaKeys.LEDGER_ENABLED) ? s.require(KafkaKeys.LEDGER_WINDOW) : null)
        .ledgerFormat(s.require(KafkaKeys.LEDGER_FORMAT))
        .dedupeWindow(s.given(KafkaKeys.DEDUPE_WINDOW) ? s.require(KafkaKeys.DEDUPE_WINDOW) : null)
        .kafkaWatch(
            new KafkaWatch(
                s.require(WorkerKeys.STARTUP_TIMEOUT), s.require(WorkerKeys.KAFKA_LOST_AFTER)))
        .kafkaClient(s.kafkaClient());
  }

  /** The worker itself: its id, queue, polling, commits and drain. */
  private static void worker(Settings s, WorkerConfigBuilder b, int lanes) {
    b.workerId(s.get(WorkerKeys.ID).orElseGet(WorkerConfigReader::defaultWorkerId))
        .drainTimeout(s.require(WorkerKeys.DRAIN_TIMEOUT))
        .commitInterval(s.require(WorkerKeys.COMMIT_INTERVAL))
        .queueCapacity(
            s.get(WorkerKeys.QUEUE_CAPACITY).orElse(Math.max(MIN_QUEUE_CAPACITY, 2 * lanes)))
        .queueBytes(s.require(WorkerKeys.QUEUE_BYTES))
        .maxPollRecords(s.require(WorkerKeys.MAX_POLL_RECORDS));
  }

  /** The job classes: on, the lanes kept for transactional mail (⌈lanes / 4⌉), the bulk floor. */
  private static ClassSettings classes(Settings s, int lanes) {
    boolean on = s.require(ClassKeys.ENABLED);
    double floor = s.require(ClassKeys.BULK_FLOOR);
    return s.get(ClassKeys.TRANSACTIONAL_LANES)
        .map(kept -> new ClassSettings(on, kept, floor))
        .orElseGet(() -> ClassSettings.derived(on, floor, lanes));
  }

  private static FailureSettings failures(Settings s) {
    return new FailureSettings(
        new RetryPolicy(
            s.require(RetryKeys.DELAYS),
            s.require(RetryKeys.MAX_ATTEMPTS),
            s.require(RetryKeys.MAX_AGE),
            s.require(RetryKeys.JITTER)),
        s.require(RetryKeys.IN_DOUBT),
        s.require(RetryKeys.FRESH_CONNECTION_ATTEMPTS),
        s.require(RetryKeys.CLASS_OVERRIDES));
  }

  private static JobLimits limits(Settings s) {
    int maxBytes = s.require(LimitKeys.JOB_MAX_BYTES);
    return new JobLimits(
        maxBytes,
        s.get(LimitKeys.JOB_MAX_ATTACHMENT_BYTES)
            .orElse(Math.min(JobLimits.DEFAULT_MAX_ATTACHMENT_BYTES, maxBytes)),
        s.require(LimitKeys.JOB_MAX_RECIPIENTS));
  }

  /**
   * The VERP return path, or null without {@code feedback.return-path-domain}; the key file is read
   * (and stripped) as {@code postbus feedback} reads it.
   */
  static ReturnPath returnPath(Settings s) {
    String domain = s.get(ReturnPathKeys.RETURN_PATH_DOMAIN).orElse(null);
    String file = s.get(ReturnPathKeys.VERP_KEY_FILE).orElse(null);
    if (domain == null || file == null) {
      if (domain != null || file != null) {
        ConfigKey<String> missing =
            domain == null ? ReturnPathKeys.RETURN_PATH_DOMAIN : ReturnPathKeys.VERP_KEY_FILE;
        ConfigKey<String> given =
            domain == null ? ReturnPathKeys.VERP_KEY_FILE : ReturnPathKeys.RETURN_PATH_DOMAIN;
        throw new ConfigException(
            missing.name() + " (" + missing.env() + ") is required with " + given.name());
      }
      return null;
    }
    return new ReturnPath(domain, new VerpToken(keyIn(ReturnPathKeys.VERP_KEY_FILE, file)));
  }

  /** The unsubscribe links, or null without {@code unsubscribe.base-url}. */
  static UnsubscribeLinks unsubscribe(Settings s) {
    String base = s.get(UnsubscribeKeys.BASE_URL).orElse(null);
    String file = s.get(UnsubscribeKeys.KEY_FILE).orElse(null);
    if (base == null || file == null) {
      if (base != null || file != null) {
        ConfigKey<String> missing =
            base == null ? UnsubscribeKeys.BASE_URL : UnsubscribeKeys.KEY_FILE;
        ConfigKey<String> given =
            base == null ? UnsubscribeKeys.KEY_FILE : UnsubscribeKeys.BASE_URL;
        throw new ConfigException(
            missing.name() + " (" + missing.env() + ") is required with " + given.name());
      }
      return null;
    }
    return new UnsubscribeLinks(
        base, new UnsubscribeToken(keyIn(UnsubscribeKeys.KEY_FILE, file), null));
  }

  /**
   * The key in the file of {@code k}, stripped, as the receiver reads it; never shown in an error.
   * VERP and unsubscribe keys have the same shortest length.
   */
  private static String keyIn(ConfigKey<String> k, String file) {
    String key;
    try {
      key = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(
          k.name()
              + " ("
              + k.env()
              + "): cannot read "
              + file
              + ": "
              + e.getClass().getSimpleName());
    }
    if (key.length() < VerpToken.MIN_KEY_LENGTH) {
      throw new ConfigException(
          k.name()
              + " ("
              + k.env()
              + "): "
              + file
              + " holds "
              + (key.isEmpty() ? "nothing" : key.length() + " characters")
              + "; the key must have at least "
              + VerpToken.MIN_KEY_LENGTH);
    }
    return key;
  }

  /** A setting whose constructor refuses the values read: the refusal, as a config error. */
  private static <T> T orConfigError(Supplier<T> read) {
    try {
      return read.get();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  private static String defaultWorkerId() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "worker";
    }
    return host + "-" + ProcessHandle.current().pid();
  }
}
