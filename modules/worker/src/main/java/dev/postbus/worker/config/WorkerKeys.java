package dev.postbus.worker.config;

import static dev.postbus.worker.config.Importance.FREQUENT;
import static dev.postbus.worker.config.Importance.RARE;

import java.time.Duration;

/**
 * The keys of the worker process: its id, its dispatch queue, how it polls and commits, start-up,
 * drain and the watch of Kafka, and its HTTP port (metrics, health, admin). Every key is also
 * listed, in the order of the configuration reference, in {@link Keys#ALL}.
 */
public final class WorkerKeys {

  private WorkerKeys() {}

  public static final ConfigKey<String> ID =
      ConfigKey.computed(
          "worker.id",
          FREQUENT,
          ValueType.nonEmpty(),
          "<host name>-<process id>",
          "Names this worker in dead letters, logs and the Kafka client id.");

  public static final ConfigKey<Duration> DRAIN_TIMEOUT =
      ConfigKey.of(
          "worker.drain-timeout",
          FREQUENT,
          ValueType.duration(Duration.ofSeconds(1), Duration.ofMinutes(10)),
          Duration.ofSeconds(30),
          "On shutdown or partition revocation, how long in-flight sends may take to finish before their "
              + "offsets are left uncommitted (and redelivered); jobs held unstarted (relays out, guard, Kafka "
              + "lost) are handed back at once. With 10 s to commit, it must stay under the consumer's "
              + "max.poll.interval.ms (5 min unless kafka.client.max.poll.interval.ms is set).");

  public static final ConfigKey<Duration> STARTUP_TIMEOUT =
      ConfigKey.of(
          "worker.startup-timeout",
          FREQUENT,
          ValueType.durationOrZero(Duration.ofDays(7)),
          Duration.ofMinutes(5),
          "How long a starting worker waits for Kafka to answer, saying so once per backoff step and not ready "
              + "meanwhile, before it exits with code 3; 0 waits forever (for an install without a supervisor to "
              + "restart it).");

  public static final ConfigKey<Duration> KAFKA_LOST_AFTER =
      ConfigKey.of(
          "worker.kafka-lost-after",
          RARE,
          ValueType.duration(Duration.ofSeconds(1), Duration.ofHours(1)),
          Duration.ofSeconds(15),
          "A running worker with no successful fetch, commit or answered group heartbeat for this long (or, owning partitions, "
              + "no commit acknowledged nor rebalance completed: its group membership unproven) reports Kafka "
              + "unreachable: not ready and delivery held, with the time it was last in touch, logged once, and again when Kafka is back. "
              + "It never exits for an outage; jobs wait in Kafka. Must be shorter than the consumer's session.timeout.ms "
              + "(kafka.client.session.timeout.ms, default 45 s): start-up stops otherwise.");

  public static final ConfigKey<Integer> QUEUE_CAPACITY =
      ConfigKey.computed(
          "worker.queue-capacity",
          RARE,
          ValueType.integer(1, 100_000),
          "2 × smtp.connections, at least 64",
          "Jobs buffered between the consumer and the sender lanes; above it, partitions are paused.");

  public static final ConfigKey<Integer> QUEUE_BYTES =
      ConfigKey.of(
          "worker.queue-bytes",
          RARE,
          ValueType.bytes(1024 * 1024, Integer.MAX_VALUE),
          64 * 1024 * 1024,
          "Payload bytes buffered between the consumer and the lanes; above it, partitions are paused."
              + " With the classes on, the transactional side's bound; the bulk side has half of it"
              + " besides.");

  public static final ConfigKey<Integer> MAX_POLL_RECORDS =
      ConfigKey.of(
          "worker.max-poll-records",
          RARE,
          ValueType.integer(1, 10_000),
          500,
          "Most records one poll returns.");

  public static final ConfigKey<Duration> COMMIT_INTERVAL =
      ConfigKey.of(
          "worker.commit-interval",
          RARE,
          ValueType.duration(Duration.ofMillis(10), Duration.ofMinutes(1)),
          Duration.ofSeconds(1),
          "How often finished offsets are committed; bounds what a crash redelivers.");

  public static final ConfigKey<Integer> HTTP_PORT =
      ConfigKey.of(
          "http.port",
          FREQUENT,
          ValueType.integer(0, 65535),
          9464,
          "Port of /metrics (Prometheus) and the health endpoints /health/live and /health/ready (0: any free port).");

  public static final ConfigKey<String> HTTP_ADMIN_TOKEN_FILE =
      ConfigKey.of(
          "http.admin-token-file",
          FREQUENT,
          ValueType.nonEmpty(),
          null,
          "File holding the token that POST /admin/* (postbus resume) must send as 'Authorization: "
              + "Bearer <token>' (at least 16 characters, trailing newline ignored), e.g. a mounted "
              + "secret; read at each call. Without it /admin/* refuses every call; /metrics and "
              + "/health/* stay open.");
}
