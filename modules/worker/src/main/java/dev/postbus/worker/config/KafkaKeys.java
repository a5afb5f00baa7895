package dev.postbus.worker.config;

import static dev.postbus.worker.config.Importance.ESSENTIAL;
import static dev.postbus.worker.config.Importance.FREQUENT;
import static dev.postbus.worker.config.Importance.RARE;

import java.time.Duration;

/**
 * The keys of Kafka: where it is, the topics the worker reads and writes (jobs, events, the send
 * ledger), and how missing topics are created. Kafka client settings pass through under {@link
 * #CLIENT_PREFIX}. Every key is also listed, in the order of the configuration reference, in {@link
 * Keys#ALL}.
 */
public final class KafkaKeys {

  private KafkaKeys() {}

  /**
   * Kafka client settings pass through under this prefix: {@code
   * kafka.client.security.protocol=SASL_SSL}.
   */
  public static final String CLIENT_PREFIX = "kafka.client.";

  public static final ConfigKey<String> BOOTSTRAP_SERVERS =
      ConfigKey.of(
          "kafka.bootstrap-servers",
          ESSENTIAL,
          ValueType.nonEmpty(),
          "localhost:9092",
          "Kafka brokers to start from, host:port[,host:port...].");

  public static final ConfigKey<String> TOPIC =
      ConfigKey.of(
          "topic",
          ESSENTIAL,
          ValueType.topic(),
          "postbus.jobs",
          "The jobs topic. The dead-letter topic is <topic>.dlt. With its longest suffix"
              + " (.suppressions, or a retry tier's) at most 249 characters.");

  public static final ConfigKey<String> GROUP =
      ConfigKey.of(
          "group",
          ESSENTIAL,
          ValueType.nonEmpty(),
          "postbus-workers",
          "Kafka consumer group shared by every worker of one deployment.");

  public static final ConfigKey<Boolean> TOPICS_AUTO_CREATE =
      ConfigKey.of(
          "topics.auto-create",
          FREQUENT,
          ValueType.bool(),
          true,
          "Create missing topics at start-up.");

  public static final ConfigKey<Integer> TOPICS_PARTITIONS =
      ConfigKey.of(
          "topics.partitions",
          FREQUENT,
          ValueType.integer(1, 10_000),
          6,
          "Partitions of topics the worker creates: the most workers that can share the load.");

  public static final ConfigKey<Integer> TOPICS_REPLICATION =
      ConfigKey.of(
          "topics.replication",
          FREQUENT,
          ValueType.integer(1, 100),
          1,
          "Replication factor of topics the worker creates (3 in production).");

  public static final ConfigKey<String> EVENTS_TOPIC =
      ConfigKey.of(
          "events.topic",
          FREQUENT,
          ValueType.topic(),
          "postbus.events",
          "Topic of outcome events (delivered, deferred, dead-lettered, in-doubt), keyed by job id. Its"
              + " own topic: never the jobs topic or one named after it (<topic>.dlt, .retry.*, ...),"
              + " nor one that differs from those only in '.' against '_' (Kafka takes postbus_jobs"
              + " and postbus.jobs for the same).");

  public static final ConfigKey<Boolean> EVENTS_ENABLED =
      ConfigKey.of(
          "events.enabled",
          FREQUENT,
          ValueType.bool(),
          true,
          "Write an outcome event for every delivery, retry and dead letter. Off saves one Kafka record per job.");

  public static final ConfigKey<Boolean> LEDGER_ENABLED =
      ConfigKey.of(
          "ledger.enabled",
          FREQUENT,
          ValueType.bool(),
          true,
          "Record every finished job in the send ledger (<topic>.ledger, compacted) so that a worker taking over a "
              + "partition after a crash skips jobs already sent. Off saves one Kafka record per job.");

  public static final ConfigKey<Duration> LEDGER_WINDOW =
      ConfigKey.of(
          "ledger.window",
          RARE,
          ValueType.duration(Duration.ofMinutes(1), Duration.ofDays(30)),
          Duration.ofDays(1),
          "How far back a worker taking over a partition reads the send ledger when the partition's commit "
              + "carries no ledger mark (a commit of a worker before issue 25); the ledger topic keeps twice this, "
              + "and a mark older than that is read from the first entry kept. Must be longer than "
              + "smtp.data-done-timeout + worker.drain-timeout (a send left running past the drain ends that late).");

  public static final ConfigKey<LedgerFormat> LEDGER_FORMAT =
      ConfigKey.of(
          "ledger.format",
          RARE,
          ValueType.oneOf(LedgerFormat.allowedValues(), LedgerFormat::fromConfigName),
          LedgerFormat.BINARY,
          "How this worker writes send-ledger entries: binary (compact; read by workers since issue 25) or "
              + "json (also read by workers before it). Every worker reads both. Set json while workers "
              + "before issue 25 still run (a rolling upgrade from them, or a rollback to them), since they "
              + "skip binary entries; see docs/operations.md, Upgrading.");

  public static final ConfigKey<Duration> DEDUPE_WINDOW =
      ConfigKey.of(
          "dedupe.window",
          FREQUENT,
          ValueType.durationOrZero(Duration.ofDays(30)),
          Duration.ofHours(1),
          "Idempotent publishing: a job whose id finished (delivered, dead-lettered or handed to the retry ladder) "
              + "within this window is not sent again (same content: a duplicate event; other content: a conflict "
              + "dead letter). Needs the send ledger and producers keying jobs by id; at most ledger.window. Each "
              + "worker keeps about 31 MiB per million ids finished within the window on its partitions "
              + "(100 jobs/s on one partition: 11 MiB per hour of window) and reads them at every takeover; 0 turns "
              + "it off.");
}
