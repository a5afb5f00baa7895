package dev.postbus.worker.config;

import static dev.postbus.worker.config.Importance.ESSENTIAL;
import static dev.postbus.worker.config.Importance.FREQUENT;
import static dev.postbus.worker.config.Importance.RARE;

import dev.postbus.job.JobLimits;
import dev.postbus.smtp.AuthMechanism;
import dev.postbus.smtp.OutcomeClass;
import dev.postbus.smtp.SmtpConfig;
import dev.postbus.smtp.TlsMode;
import dev.postbus.worker.retry.RetryPolicy;
import java.time.Duration;
import java.util.List;

/** Every key the worker reads, in the order of the configuration reference. */
public final class Keys {

  private Keys() {}

  private static <T> ConfigKey<T> key(
      String name, Importance importance, ValueType<T> type, T defaultValue, String doc) {
    String shown =
        defaultValue == null
            ? null
            : defaultValue instanceof Duration d ? ValueType.format(d) : defaultValue.toString();
    return new ConfigKey<>(name, importance, type, defaultValue, shown, false, doc);
  }

  private static <T> ConfigKey<T> computed(
      String name, Importance importance, ValueType<T> type, String defaultText, String doc) {
    return new ConfigKey<>(name, importance, type, null, defaultText, false, doc);
  }

  private static final Duration MS = Duration.ofMillis(1);

  /** Relay names: short, and the same in a file and in an environment variable. */
  static final java.util.regex.Pattern RELAY_NAME =
      java.util.regex.Pattern.compile("[a-z0-9]{1,32}");

  private static final Duration DAY = Duration.ofDays(1);

  public static final ConfigKey<String> BOOTSTRAP_SERVERS =
      key(
          "kafka.bootstrap-servers",
          ESSENTIAL,
          ValueType.nonEmpty(),
          "localhost:9092",
          "Kafka brokers to start from, host:port[,host:port...].");
  public static final ConfigKey<String> TOPIC =
      key(
          "topic",
          ESSENTIAL,
          ValueType.nonEmpty(),
          "postbus.jobs",
          "The jobs topic. The dead-letter topic is <topic>.dlt.");
  public static final ConfigKey<String> GROUP =
      key(
          "group",
          ESSENTIAL,
          ValueType.nonEmpty(),
          "postbus-workers",
          "Kafka consumer group shared by every worker of one deployment.");
  public static final ConfigKey<String> SMTP_HOST =
      key("smtp.host", ESSENTIAL, ValueType.nonEmpty(), "localhost", "SMTP relay host name.");
  public static final ConfigKey<Integer> SMTP_PORT =
      key(
          "smtp.port",
          ESSENTIAL,
          ValueType.integer(1, 65535),
          SmtpConfig.DEFAULT_PORT,
          "SMTP relay port (25, 587 for submission with STARTTLS, 465 for implicit TLS).");
  public static final ConfigKey<Integer> SMTP_CONNECTIONS =
      key(
          "smtp.connections",
          ESSENTIAL,
          ValueType.integer(1, 1024),
          4,
          "Persistent SMTP connections per worker, each with its own sender lane. "
              + "Never more than the relay allows.");
  public static final ConfigKey<TlsMode> SMTP_TLS =
      key(
          "smtp.tls",
          ESSENTIAL,
          ValueType.oneOf(TlsMode.allowedValues(), TlsMode::fromConfigName),
          SmtpConfig.DEFAULT_TLS,
          "none; starttls (when offered); starttls-required (refuse servers without it); implicit (TLS from the first byte).");
  public static final ConfigKey<String> SMTP_USERNAME =
      key(
          "smtp.username",
          ESSENTIAL,
          ValueType.nonEmpty(),
          null,
          "User name for SMTP AUTH. Unset: no authentication.");
  public static final ConfigKey<String> SMTP_PASSWORD =
      new ConfigKey<>(
          "smtp.password",
          ESSENTIAL,
          ValueType.nonEmpty(),
          null,
          null,
          true,
          "Password for SMTP AUTH. Prefer smtp.password-file.");

  public static final ConfigKey<String> SMTP_PASSWORD_FILE =
      key(
          "smtp.password-file",
          FREQUENT,
          ValueType.nonEmpty(),
          null,
          "File holding the SMTP password or OAuth token (trailing newline ignored), e.g. a "
              + "mounted secret. Read again at every new connection, so a rotated secret is picked up.");
  public static final ConfigKey<AuthMechanism> SMTP_AUTH_MECHANISM =
      key(
          "smtp.auth-mechanism",
          FREQUENT,
          ValueType.oneOf(AuthMechanism.allowedValues(), AuthMechanism::fromConfigName),
          AuthMechanism.PLAIN_LOGIN,
          "plain-login: AUTH PLAIN (or LOGIN) with the password; xoauth2: AUTH XOAUTH2 with an OAuth 2.0 access token "
              + "as the password (Gmail, Microsoft 365), best from smtp.password-file.");
  public static final ConfigKey<String> SMTP_TRUST_STORE =
      key(
          "smtp.trust-store",
          FREQUENT,
          ValueType.nonEmpty(),
          null,
          "PKCS12 or JKS file with the certificates to trust for the relay (a private CA, a self-signed relay) instead "
              + "of the JVM's. Host names are still verified.");
  public static final ConfigKey<String> SMTP_TRUST_STORE_PASSWORD =
      new ConfigKey<>(
          "smtp.trust-store-password",
          RARE,
          ValueType.nonEmpty(),
          null,
          null,
          true,
          "Password of smtp.trust-store, when it has one.");
  public static final ConfigKey<Boolean> SMTP_TLS_VERIFY =
      key(
          "smtp.tls-verify",
          FREQUENT,
          ValueType.bool(),
          true,
          "Verify the relay's certificate chain and host name. Turn off only for a test relay.");
  public static final ConfigKey<Integer> SMTP_MAX_MESSAGES =
      key(
          "smtp.max-messages-per-connection",
          FREQUENT,
          ValueType.integer(1, 1_000_000),
          SmtpConfig.DEFAULT_MAX_MESSAGES_PER_CONNECTION,
          "After this many messages a connection is closed with QUIT and reopened.");
  public static final ConfigKey<Duration> SMTP_MAX_AGE =
      key(
          "smtp.max-connection-age",
          FREQUENT,
          ValueType.duration(Duration.ofSeconds(1), DAY),
          SmtpConfig.DEFAULT_MAX_CONNECTION_AGE,
          "A connection older than this is reopened before its next message.");
  public static final ConfigKey<Duration> SMTP_IDLE_TIMEOUT =
      key(
          "smtp.idle-timeout",
          FREQUENT,
          ValueType.duration(Duration.ofMillis(100), DAY),
          SmtpConfig.DEFAULT_IDLE_TIMEOUT,
          "A connection unused for this long is closed.");
  public static final ConfigKey<Integer> HTTP_PORT =
      key(
          "http.port",
          FREQUENT,
          ValueType.integer(0, 65535),
          9464,
          "Port of /metrics (Prometheus) and the health endpoints /health/live and /health/ready (0: any free port).");
  public static final ConfigKey<String> HTTP_ADMIN_TOKEN_FILE =
      key(
          "http.admin-token-file",
          FREQUENT,
          ValueType.nonEmpty(),
          null,
          "File holding the token that POST /admin/* (postbus resume) must send as 'Authorization: "
              + "Bearer <token>' (at least 16 characters, trailing newline ignored), e.g. a mounted "
              + "secret; read at each call. Without it /admin/* refuses every call; /metrics and "
              + "/health/* stay open.");
  public static final ConfigKey<String> WORKER_ID =
      computed(
          "worker.id",
          FREQUENT,
          ValueType.nonEmpty(),
          "<host name>-<process id>",
          "Names this worker in dead letters, logs and the Kafka client id.");
  public static final ConfigKey<Duration> DRAIN_TIMEOUT =
      key(
          "worker.drain-timeout",
          FREQUENT,
          ValueType.duration(Duration.ofSeconds(1), Duration.ofMinutes(10)),
          Duration.ofSeconds(30),
          "On shutdown or partition revocation, how long in-flight sends may take to finish before their "
              + "offsets are left uncommitted (and redelivered); jobs held unstarted (relays out, guard, Kafka "
              + "lost) are handed back at once. With 10 s to commit, it must stay under the consumer's "
              + "max.poll.interval.ms (5 min unless kafka.client.max.poll.interval.ms is set).");
  public static final ConfigKey<Duration> STARTUP_TIMEOUT =
      key(
          "worker.startup-timeout",
          FREQUENT,
          ValueType.durationOrZero(Duration.ofDays(7)),
          Duration.ofMinutes(5),
          "How long a starting worker waits for Kafka to answer, saying so once per backoff step and not ready "
              + "meanwhile, before it exits with code 3; 0 waits forever (for an install without a supervisor to "
              + "restart it).");
  public static final ConfigKey<Duration> KAFKA_LOST_AFTER =
      key(
          "worker.kafka-lost-after",
          RARE,
          ValueType.duration(Duration.ofSeconds(1), Duration.ofHours(1)),
          Duration.ofSeconds(15),
          "A running worker with no successful fetch, commit or answered group heartbeat for this long (or, owning partitions, "
              + "no commit acknowledged nor rebalance completed: its group membership unproven) reports Kafka "
              + "unreachable: not ready and delivery held, with the time it was last in touch, logged once, and again when Kafka is back. "
              + "It never exits for an outage; jobs wait in Kafka. Must be shorter than the consumer's session.timeout.ms "
              + "(kafka.client.session.timeout.ms, default 45 s): start-up stops otherwise.");
  public static final ConfigKey<Boolean> TOPICS_AUTO_CREATE =
      key(
          "topics.auto-create",
          FREQUENT,
          ValueType.bool(),
          true,
          "Create missing topics at start-up.");
  public static final ConfigKey<Integer> TOPICS_PARTITIONS =
      key(
          "topics.partitions",
          FREQUENT,
          ValueType.integer(1, 10_000),
          6,
          "Partitions of topics the worker creates: the most workers that can share the load.");
  public static final ConfigKey<Integer> TOPICS_REPLICATION =
      key(
          "topics.replication",
          FREQUENT,
          ValueType.integer(1, 100),
          1,
          "Replication factor of topics the worker creates (3 in production).");
  public static final ConfigKey<Integer> JOB_MAX_BYTES =
      key(
          "job.max-bytes",
          FREQUENT,
          ValueType.bytes(1024, 100 * 1024 * 1024),
          JobLimits.DEFAULT_MAX_PAYLOAD_BYTES,
          "Largest job payload accepted; larger records are dead-lettered before parsing.");

  public static final ConfigKey<java.util.List<Duration>> RETRY_DELAYS =
      new ConfigKey<>(
          "retry.delays",
          FREQUENT,
          ValueType.durations(Duration.ofMillis(100), Duration.ofDays(7)),
          RetryPolicy.DEFAULT_DELAYS,
          "30s,5m,30m,2h",
          false,
          "The retry ladder: one topic per delay (<topic>.retry.<delay>), in increasing order; the last is reused.");
  public static final ConfigKey<Integer> RETRY_MAX_ATTEMPTS =
      key(
          "retry.max-attempts",
          FREQUENT,
          ValueType.integer(1, 1000),
          10,
          "Delivery attempts before a transiently failing job is dead-lettered as expired.");
  public static final ConfigKey<Duration> RETRY_MAX_AGE =
      key(
          "retry.max-age",
          FREQUENT,
          ValueType.duration(Duration.ofSeconds(1), Duration.ofDays(30)),
          Duration.ofHours(24),
          "Time since the first failure after which a job is dead-lettered as expired.");
  public static final ConfigKey<InDoubtPolicy> RETRY_IN_DOUBT =
      key(
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
  public static final ConfigKey<String> EVENTS_TOPIC =
      key(
          "events.topic",
          FREQUENT,
          ValueType.nonEmpty(),
          "postbus.events",
          "Topic of outcome events (delivered, deferred, dead-lettered, in-doubt), keyed by job id.");
  public static final ConfigKey<Boolean> EVENTS_ENABLED =
      key(
          "events.enabled",
          FREQUENT,
          ValueType.bool(),
          true,
          "Write an outcome event for every delivery, retry and dead letter. Off saves one Kafka record per job.");

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
  public static final ConfigKey<Integer> SMTP_CONNECTIONS_GLOBAL =
      key(
          "smtp.connections-global",
          FREQUENT,
          ValueType.integer(0, 100_000),
          0,
          "Most SMTP connections the whole group opens to the relay (0: no limit). Each "
              + "worker opens its share by its part of the jobs topic's partitions (rounded down, at least 1 while it owns "
              + "any), never more than smtp.connections; re-divided on every rebalance.");
  public static final ConfigKey<java.util.List<String>> RELAYS =
      new ConfigKey<>(
          "relays",
          FREQUENT,
          ValueType.words(RELAY_NAME, "relay names (lower-case letters and digits, up to 32)"),
          null,
          null,
          false,
          "Several relays, by name in order of preference, e.g. ses,postfix. Each takes its settings from "
              + "relay.<name>.* (see \"Several relays\" below) and anything it does not set from the smtp.* key of the "
              + "same name. Unset: one relay, configured by smtp.*, named default in metrics (so that name is reserved).");
  public static final ConfigKey<RelayMode> RELAYS_MODE =
      key(
          "relays.mode",
          FREQUENT,
          ValueType.choice(RelayMode.values()),
          RelayMode.FAILOVER,
          "With several relays: failover sends each job through the first relay (in the order of relays) that is up; "
              + "weighted spreads jobs over the relays that are up in proportion to relay.<name>.weight.");
  public static final ConfigKey<Integer> RATE_LIMIT =
      key(
          "rate-limit",
          FREQUENT,
          ValueType.integer(0, 1_000_000),
          0,
          "Most messages per second this worker sends (0: no limit of its own).");
  public static final ConfigKey<Integer> RATE_LIMIT_GLOBAL =
      key(
          "rate-limit-global",
          FREQUENT,
          ValueType.integer(0, 1_000_000),
          0,
          "Most messages per second the whole group sends (0: no limit). Each worker "
              + "takes its share by the partitions it consumes (jobs and retry tiers), re-divided on every rebalance; no shared store.");
  public static final ConfigKey<Boolean> LEDGER_ENABLED =
      key(
          "ledger.enabled",
          FREQUENT,
          ValueType.bool(),
          true,
          "Record every finished job in the send ledger (<topic>.ledger, compacted) so that a worker taking over a "
              + "partition after a crash skips jobs already sent. Off saves one Kafka record per job.");

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
      key(
          "guard.window",
          FREQUENT,
          ValueType.integer(10, 1_000_000),
          1000,
          "The bounce-rate guard watches this many of the worker's most recent recipients; it judges only a full "
              + "window.");
  public static final ConfigKey<Double> GUARD_MAX_BOUNCE_RATE =
      key(
          "guard.max-bounce-rate",
          FREQUENT,
          ValueType.fraction(0, 1),
          0.08,
          "When more than this share of the last guard.window recipients were refused permanently, the worker "
              + "pauses delivery (PAUSED, not ready), and with it every worker of the group, also across restarts (the "
              + "trip is kept on the suppressions topic), until `postbus resume`: a bad list must not get the "
              + "sender's relay account suspended (Amazon SES reviews an account at 5% bounces and may pause it at "
              + "10%). 0 turns the guard off.");

  public static final ConfigKey<Integer> JOB_MAX_ATTACHMENT_BYTES =
      computed(
          "job.max-attachment-bytes",
          RARE,
          ValueType.bytes(1, 100 * 1024 * 1024),
          "7340032 (7 MiB), or job.max-bytes when that is smaller",
          "Largest single attachment, decoded.");
  public static final ConfigKey<Integer> JOB_MAX_RECIPIENTS =
      key(
          "job.max-recipients",
          RARE,
          ValueType.integer(1, 10_000),
          JobLimits.DEFAULT_MAX_RECIPIENTS,
          "Most recipients (to + cc + bcc) in one job.");
  public static final ConfigKey<Duration> SMTP_CONNECT_TIMEOUT =
      key(
          "smtp.connect-timeout",
          RARE,
          ValueType.duration(MS, Duration.ofMinutes(10)),
          SmtpConfig.DEFAULT_CONNECT_TIMEOUT,
          "TCP connect timeout.");
  public static final ConfigKey<Duration> SMTP_READ_TIMEOUT =
      key(
          "smtp.read-timeout",
          RARE,
          ValueType.duration(MS, Duration.ofMinutes(30)),
          SmtpConfig.DEFAULT_READ_TIMEOUT,
          "How long to wait for each server reply, except the one to the end of the message (smtp.data-done-timeout).");
  public static final ConfigKey<Duration> SMTP_WRITE_TIMEOUT =
      key(
          "smtp.write-timeout",
          RARE,
          ValueType.duration(MS, Duration.ofMinutes(30)),
          SmtpConfig.DEFAULT_WRITE_TIMEOUT,
          "How long a write may make no progress (each 64 KiB of a message has this long), QUIT included.");
  public static final ConfigKey<Duration> SMTP_DATA_DONE_TIMEOUT =
      key(
          "smtp.data-done-timeout",
          RARE,
          ValueType.duration(MS, Duration.ofHours(1)),
          SmtpConfig.DEFAULT_DATA_DONE_TIMEOUT,
          "How long to wait for the reply to the end of a message (the final \".\" of DATA, or BDAT LAST), while "
              + "the relay scans it: RFC 5321 asks for 10 minutes. Replaces smtp.read-timeout for that reply only. "
              + "Far above worker.drain-timeout: a partition revoked during such a wait leaves the job uncommitted "
              + "and its new owner sends it again while this send still waits, a possible duplicate "
              + "(docs/delivery-semantics.md).");
  public static final ConfigKey<PlaintextAuth> SMTP_AUTH_OVER_PLAINTEXT =
      key(
          "smtp.auth-over-plaintext",
          RARE,
          ValueType.choice(PlaintextAuth.values()),
          PlaintextAuth.REFUSE,
          "refuse: credentials are never sent over a session without TLS (smtp.tls=none with smtp.username is "
              + "refused at start-up; with starttls, a relay that did not take STARTTLS is refused and delivery waits); "
              + "allow: send them in clear text anyway, for a lab relay only (logged as a warning on every login).");
  public static final ConfigKey<String> SMTP_HELO_NAME =
      computed(
          "smtp.helo-name",
          RARE,
          ValueType.nonEmpty(),
          "the local host name",
          "Name announced in EHLO.");
  public static final ConfigKey<ExtensionUse> SMTP_PIPELINING =
      key(
          "smtp.pipelining",
          RARE,
          ValueType.choice(ExtensionUse.values()),
          ExtensionUse.AUTO,
          "auto: when the relay offers PIPELINING (RFC 2920), send MAIL, every RCPT and DATA (or BDAT) in one write and "
              + "read the replies together, and with DATA send the next message's envelope with the end of the message; "
              + "off: wait for each reply (lock-step). Never pipelines to a relay that does not offer it.");
  public static final ConfigKey<ExtensionUse> SMTP_CHUNKING =
      key(
          "smtp.chunking",
          RARE,
          ValueType.choice(ExtensionUse.values()),
          ExtensionUse.AUTO,
          "auto: when the relay offers CHUNKING (RFC 3030), send the message with BDAT, in the same write as MAIL and "
              + "RCPT when it also offers PIPELINING (one round trip per message); off: always DATA.");
  public static final ConfigKey<Duration> RECONNECT_BACKOFF =
      key(
          "smtp.reconnect-backoff",
          RARE,
          ValueType.duration(MS, Duration.ofMinutes(1)),
          Duration.ofSeconds(1),
          "First wait before reconnecting after a failed connection; doubles (with jitter) up to the maximum.");
  public static final ConfigKey<Duration> RECONNECT_BACKOFF_MAX =
      key(
          "smtp.reconnect-backoff-max",
          RARE,
          ValueType.duration(MS, Duration.ofHours(1)),
          Duration.ofSeconds(60),
          "Longest wait between reconnection attempts.");
  public static final ConfigKey<Integer> QUEUE_CAPACITY =
      computed(
          "worker.queue-capacity",
          RARE,
          ValueType.integer(1, 100_000),
          "2 × smtp.connections, at least 64",
          "Jobs buffered between the consumer and the sender lanes; above it, partitions are paused.");
  public static final ConfigKey<Integer> QUEUE_BYTES =
      key(
          "worker.queue-bytes",
          RARE,
          ValueType.bytes(1024 * 1024, Integer.MAX_VALUE),
          64 * 1024 * 1024,
          "Payload bytes buffered between the consumer and the lanes; above it, partitions are paused.");
  public static final ConfigKey<Duration> COMMIT_INTERVAL =
      key(
          "worker.commit-interval",
          RARE,
          ValueType.duration(Duration.ofMillis(10), Duration.ofMinutes(1)),
          Duration.ofSeconds(1),
          "How often finished offsets are committed; bounds what a crash redelivers.");
  public static final ConfigKey<Double> RETRY_JITTER =
      key(
          "retry.jitter",
          RARE,
          ValueType.fraction(0, 1),
          0.2,
          "Each retry delay is varied by up to this fraction either way.");
  public static final ConfigKey<Integer> FRESH_CONNECTION_ATTEMPTS =
      key(
          "retry.fresh-connection-attempts",
          RARE,
          ValueType.integer(1, 5),
          2,
          "Attempts, in-process and at once, on a new connection after a connection-level "
              + "failure (stale socket, 421), before the job goes to the retry ladder.");
  public static final ConfigKey<Duration> LEDGER_WINDOW =
      key(
          "ledger.window",
          RARE,
          ValueType.duration(Duration.ofMinutes(1), Duration.ofDays(30)),
          Duration.ofDays(1),
          "How far back a worker taking over a partition reads the send ledger; the ledger topic keeps twice this.");
  public static final ConfigKey<Integer> MAX_POLL_RECORDS =
      key(
          "worker.max-poll-records",
          RARE,
          ValueType.integer(1, 10_000),
          500,
          "Most records one poll returns.");

  /**
   * Kafka client settings pass through under this prefix: {@code
   * kafka.client.security.protocol=SASL_SSL}.
   */
  public static final String KAFKA_CLIENT_PREFIX = "kafka.client.";

  /**
   * Environment variables the launcher and logging read; not configuration keys, but not typos
   * either.
   */
  public static final List<String> LAUNCHER_VARIABLES =
      List.of("POSTBUS_JAVA_OPTS", "POSTBUS_LOG_FORMAT", "POSTBUS_LOG_LEVEL", "POSTBUS_HOME");

  public static final List<ConfigKey<?>> ALL =
      List.of(
          BOOTSTRAP_SERVERS,
          TOPIC,
          GROUP,
          SMTP_HOST,
          SMTP_PORT,
          SMTP_CONNECTIONS,
          SMTP_CONNECTIONS_GLOBAL,
          RELAYS,
          RELAYS_MODE,
          SMTP_TLS,
          SMTP_USERNAME,
          SMTP_PASSWORD,
          SMTP_PASSWORD_FILE,
          SMTP_AUTH_MECHANISM,
          SMTP_TRUST_STORE,
          SMTP_TRUST_STORE_PASSWORD,
          SMTP_TLS_VERIFY,
          SMTP_MAX_MESSAGES,
          SMTP_MAX_AGE,
          SMTP_IDLE_TIMEOUT,
          HTTP_PORT,
          HTTP_ADMIN_TOKEN_FILE,
          WORKER_ID,
          DRAIN_TIMEOUT,
          STARTUP_TIMEOUT,
          TOPICS_AUTO_CREATE,
          TOPICS_PARTITIONS,
          TOPICS_REPLICATION,
          JOB_MAX_BYTES,
          JOB_MAX_ATTACHMENT_BYTES,
          JOB_MAX_RECIPIENTS,
          SMTP_CONNECT_TIMEOUT,
          SMTP_READ_TIMEOUT,
          SMTP_WRITE_TIMEOUT,
          SMTP_DATA_DONE_TIMEOUT,
          SMTP_AUTH_OVER_PLAINTEXT,
          SMTP_HELO_NAME,
          SMTP_PIPELINING,
          SMTP_CHUNKING,
          RECONNECT_BACKOFF,
          RECONNECT_BACKOFF_MAX,
          QUEUE_CAPACITY,
          QUEUE_BYTES,
          COMMIT_INTERVAL,
          MAX_POLL_RECORDS,
          RETRY_DELAYS,
          RETRY_MAX_ATTEMPTS,
          RETRY_MAX_AGE,
          RETRY_IN_DOUBT,
          CLASS_OVERRIDES,
          EVENTS_TOPIC,
          EVENTS_ENABLED,
          RATE_LIMIT,
          DOMAIN_CONCURRENCY,
          RATE_LIMIT_GLOBAL,
          LEDGER_ENABLED,
          SUPPRESSION_CODES,
          GUARD_WINDOW,
          GUARD_MAX_BOUNCE_RATE,
          RETRY_JITTER,
          FRESH_CONNECTION_ATTEMPTS,
          LEDGER_WINDOW,
          KAFKA_LOST_AFTER);
}
