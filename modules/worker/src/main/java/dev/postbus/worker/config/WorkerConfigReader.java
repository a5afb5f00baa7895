package dev.postbus.worker.config;

import dev.postbus.job.JobLimits;
import dev.postbus.worker.retry.RetryPolicy;
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
    WorkerConfigChecks.checkKafkaLostAfter(s.require(Keys.KAFKA_LOST_AFTER), s.kafkaClient());
    WorkerConfigBuilder b = WorkerConfig.builder().limits(limits).failures(failures);
    kafka(s, b);
    worker(s, b, WorkerConfigChecks.lanes(relays));
    return b.relayMode(s.require(Keys.RELAYS_MODE))
        .relays(relays)
        .rateLimit(s.require(Keys.RATE_LIMIT))
        .rateLimitGlobal(s.require(Keys.RATE_LIMIT_GLOBAL))
        .reconnectBackoff(s.require(Keys.RECONNECT_BACKOFF))
        .reconnectBackoffMax(s.require(Keys.RECONNECT_BACKOFF_MAX))
        .domainConcurrency(s.require(Keys.DOMAIN_CONCURRENCY))
        .reputation(
            new ReputationSettings(
                s.require(Keys.SUPPRESSION_CODES),
                s.require(Keys.GUARD_WINDOW),
                s.require(Keys.GUARD_MAX_BOUNCE_RATE)))
        .httpPort(s.require(Keys.HTTP_PORT))
        .adminTokenFile(s.get(Keys.HTTP_ADMIN_TOKEN_FILE).orElse(null))
        .build();
  }

  /** Kafka: where, which topics, the group, how the worker watches it. */
  private static void kafka(Settings s, WorkerConfigBuilder b) {
    b.bootstrapServers(s.require(Keys.BOOTSTRAP_SERVERS))
        .topic(s.require(Keys.TOPIC))
        .group(s.require(Keys.GROUP))
        .topics(
            new TopicSettings(
                s.require(Keys.TOPICS_AUTO_CREATE),
                s.require(Keys.TOPICS_PARTITIONS),
                s.require(Keys.TOPICS_REPLICATION).shortValue()))
        .eventsTopic(s.require(Keys.EVENTS_ENABLED) ? s.require(Keys.EVENTS_TOPIC) : null)
        .ledgerWindow(s.require(Keys.LEDGER_ENABLED) ? s.require(Keys.LEDGER_WINDOW) : null)
        .kafkaWatch(
            new KafkaWatch(s.require(Keys.STARTUP_TIMEOUT), s.require(Keys.KAFKA_LOST_AFTER)))
        .kafkaClient(s.kafkaClient());
  }

  /** The worker itself: its id, queue, polling, commits and drain. */
  private static void worker(Settings s, WorkerConfigBuilder b, int lanes) {
    b.workerId(s.get(Keys.WORKER_ID).orElseGet(WorkerConfigReader::defaultWorkerId))
        .drainTimeout(s.require(Keys.DRAIN_TIMEOUT))
        .commitInterval(s.require(Keys.COMMIT_INTERVAL))
        .queueCapacity(s.get(Keys.QUEUE_CAPACITY).orElse(Math.max(MIN_QUEUE_CAPACITY, 2 * lanes)))
        .queueBytes(s.require(Keys.QUEUE_BYTES))
        .maxPollRecords(s.require(Keys.MAX_POLL_RECORDS));
  }

  private static FailureSettings failures(Settings s) {
    return new FailureSettings(
        new RetryPolicy(
            s.require(Keys.RETRY_DELAYS),
            s.require(Keys.RETRY_MAX_ATTEMPTS),
            s.require(Keys.RETRY_MAX_AGE),
            s.require(Keys.RETRY_JITTER)),
        s.require(Keys.RETRY_IN_DOUBT),
        s.require(Keys.FRESH_CONNECTION_ATTEMPTS),
        s.require(Keys.CLASS_OVERRIDES));
  }

  private static JobLimits limits(Settings s) {
    int maxBytes = s.require(Keys.JOB_MAX_BYTES);
    return new JobLimits(
        maxBytes,
        s.get(Keys.JOB_MAX_ATTACHMENT_BYTES)
            .orElse(Math.min(JobLimits.DEFAULT_MAX_ATTACHMENT_BYTES, maxBytes)),
        s.require(Keys.JOB_MAX_RECIPIENTS));
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
