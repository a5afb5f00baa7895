package dev.postbus.worker.config;

import java.util.List;

/**
 * Every key the worker reads, in the order of the configuration reference ({@link #ALL}); each is
 * declared, with its doc and default, in the class of its area: {@link KafkaKeys}, {@link
 * SmtpKeys}, {@link RelayKeys}, {@link LimitKeys}, {@link RetryKeys}, {@link ReputationKeys},
 * {@link ReturnPathKeys}, {@link ClassKeys}, {@link UnsubscribeKeys} and {@link WorkerKeys}.
 */
public final class Keys {

  private Keys() {}

  /**
   * Environment variables the launcher and logging read; not configuration keys, but not typos
   * either.
   */
  public static final List<String> LAUNCHER_VARIABLES =
      List.of("POSTBUS_JAVA_OPTS", "POSTBUS_LOG_FORMAT", "POSTBUS_LOG_LEVEL", "POSTBUS_HOME");

  /**
   * The variables of {@code postbus console} (read by its command, not settings of the worker): a
   * shared environment may hold them, as it may hold the launcher's.
   */
  public static final List<String> CONSOLE_VARIABLES =
      List.of(
          "POSTBUS_CONSOLE_HOST",
          "POSTBUS_CONSOLE_PORT",
          "POSTBUS_CONSOLE_PASSWORD_FILE",
          "POSTBUS_CONSOLE_HOST_NAMES");

  /** Every key, in the order of the configuration reference (within each {@link Importance}). */
  public static final List<ConfigKey<?>> ALL =
      List.of(
          KafkaKeys.BOOTSTRAP_SERVERS,
          KafkaKeys.TOPIC,
          KafkaKeys.GROUP,
          SmtpKeys.HOST,
          SmtpKeys.PORT,
          SmtpKeys.CONNECTIONS,
          SmtpKeys.CONNECTIONS_GLOBAL,
          RelayKeys.RELAYS,
          RelayKeys.MODE,
          SmtpKeys.PROVIDER,
          SmtpKeys.TLS,
          SmtpKeys.USERNAME,
          SmtpKeys.PASSWORD,
          SmtpKeys.PASSWORD_FILE,
          SmtpKeys.AUTH_MECHANISM,
          SmtpKeys.TRUST_STORE,
          SmtpKeys.TRUST_STORE_PASSWORD,
          SmtpKeys.TLS_VERIFY,
          SmtpKeys.MAX_MESSAGES,
          SmtpKeys.MAX_AGE,
          SmtpKeys.IDLE_TIMEOUT,
          WorkerKeys.HTTP_PORT,
          WorkerKeys.HTTP_ADMIN_TOKEN_FILE,
          WorkerKeys.ID,
          WorkerKeys.DRAIN_TIMEOUT,
          WorkerKeys.STARTUP_TIMEOUT,
          KafkaKeys.TOPICS_AUTO_CREATE,
          KafkaKeys.TOPICS_PARTITIONS,
          KafkaKeys.TOPICS_REPLICATION,
          LimitKeys.JOB_MAX_BYTES,
          LimitKeys.JOB_MAX_ATTACHMENT_BYTES,
          LimitKeys.JOB_MAX_RECIPIENTS,
          SmtpKeys.CONNECT_TIMEOUT,
          SmtpKeys.READ_TIMEOUT,
          SmtpKeys.WRITE_TIMEOUT,
          SmtpKeys.DATA_DONE_TIMEOUT,
          SmtpKeys.AUTH_OVER_PLAINTEXT,
          SmtpKeys.HELO_NAME,
          SmtpKeys.PIPELINING,
          SmtpKeys.CHUNKING,
          SmtpKeys.RECONNECT_BACKOFF,
          SmtpKeys.RECONNECT_BACKOFF_MAX,
          WorkerKeys.QUEUE_CAPACITY,
          WorkerKeys.QUEUE_BYTES,
          WorkerKeys.COMMIT_INTERVAL,
          WorkerKeys.MAX_POLL_RECORDS,
          RetryKeys.DELAYS,
          RetryKeys.MAX_ATTEMPTS,
          RetryKeys.MAX_AGE,
          RetryKeys.IN_DOUBT,
          RetryKeys.CLASS_OVERRIDES,
          KafkaKeys.EVENTS_TOPIC,
          KafkaKeys.EVENTS_ENABLED,
          LimitKeys.RATE_LIMIT,
          LimitKeys.DOMAIN_CONCURRENCY,
          LimitKeys.RATE_LIMIT_GLOBAL,
          KafkaKeys.LEDGER_ENABLED,
          ClassKeys.ENABLED,
          ClassKeys.TRANSACTIONAL_LANES,
          ClassKeys.BULK_FLOOR,
          ReputationKeys.SUPPRESSION_CODES,
          ReputationKeys.GUARD_WINDOW,
          ReputationKeys.GUARD_MAX_BOUNCE_RATE,
          ReputationKeys.GUARD_MAX_COMPLAINT_RATE,
          ReputationKeys.GUARD_FEEDBACK_WINDOW,
          ReputationKeys.GUARD_FEEDBACK,
          ReputationKeys.GUARD_FEEDBACK_MAX_RECIPIENTS,
          ReturnPathKeys.RETURN_PATH_DOMAIN,
          ReturnPathKeys.VERP_KEY_FILE,
          UnsubscribeKeys.BASE_URL,
          UnsubscribeKeys.KEY_FILE,
          RetryKeys.JITTER,
          RetryKeys.FRESH_CONNECTION_ATTEMPTS,
          KafkaKeys.LEDGER_WINDOW,
          KafkaKeys.LEDGER_FORMAT,
          KafkaKeys.DEDUPE_WINDOW,
          WorkerKeys.KAFKA_LOST_AFTER);
}
