package dev.postbus.worker.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The checks of a {@link WorkerConfig} that span several keys (each key's own range is checked when
 * it is read): each failure is a {@link ConfigException} naming the keys and their values.
 */
final class WorkerConfigChecks {

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(WorkerConfigChecks.class);

  /** Kafka's default consumer session timeout (session.timeout.ms). */
  private static final Duration KAFKA_SESSION_TIMEOUT = Duration.ofSeconds(45);

  /** Kafka's default max.poll.interval.ms. */
  private static final Duration KAFKA_POLL_INTERVAL = Duration.ofMinutes(5);

  /** How long the commit after a drain may take (ConsumeLoop's commit timeout). */
  private static final Duration COMMIT_MARGIN = Duration.ofSeconds(10);

  private WorkerConfigChecks() {}

  /** What the {@link WorkerConfig} constructor checks. */
  static void check(
      List<RelayConfig> relays,
      Duration reconnectBackoff,
      Duration reconnectBackoffMax,
      Duration drainTimeout,
      Map<String, String> kafkaClient,
      int queueCapacity,
      Duration ledgerWindow) {
    if (relays.isEmpty()) {
      throw new ConfigException("no relay configured");
    }
    if (reconnectBackoffMax.compareTo(reconnectBackoff) < 0) {
      throw new ConfigException(
          "smtp.reconnect-backoff-max ("
              + ValueType.format(reconnectBackoffMax)
              + ") must not be shorter than smtp.reconnect-backoff ("
              + ValueType.format(reconnectBackoff)
              + ")");
    }
    checkDrainFitsPollInterval(drainTimeout, kafkaClient);
    checkLedgerWindow(ledgerWindow, relays, drainTimeout);
    int lanes = lanes(relays);
    if (queueCapacity < lanes) {
      throw new ConfigException(
          "worker.queue-capacity ("
              + queueCapacity
              + ") must be at least the connections of all relays ("
              + lanes
              + ") so that every lane can have work");
    }
  }

  /**
   * A send left running past the drain may end smtp.data-done-timeout after it, its record still
   * uncommitted; a new owner reads the ledger by time only when the commit carries no mark, from
   * now − ledger.window, so the window must outlast such a send or its entry would not be read.
   */
  private static void checkLedgerWindow(
      Duration ledgerWindow, List<RelayConfig> relays, Duration drainTimeout) {
    if (ledgerWindow == null || drainTimeout == null) {
      return;
    }
    Duration dataDone =
        relays.stream()
            .map(r -> r.smtp().dataDoneTimeout())
            .max(Duration::compareTo)
            .orElse(Duration.ZERO);
    if (ledgerWindow.compareTo(dataDone.plus(drainTimeout)) <= 0) {
      throw new ConfigException(
          KafkaKeys.LEDGER_WINDOW.name()
              + " ("
              + ValueType.format(ledgerWindow)
              + ") must be longer than smtp.data-done-timeout ("
              + ValueType.format(dataDone)
              + ") + worker.drain-timeout ("
              + ValueType.format(drainTimeout)
              + "): a send left running past the drain can end that late, and its ledger entry"
              + " must still be read");
    }
  }

  /**
   * Every topic the worker names after {@code topic} (the bulk and dead-letter topics, the retry
   * tiers, the ledger, suppressions, feedback) fits Kafka's 249 characters, and {@code
   * events.topic} is none of them: an event written to a topic the worker reads would be poison,
   * and dead-lettering it would write another event, without end.
   */
  static void checkTopics(String topic, String eventsTopic, List<String> retryTopics) {
    if (topic == null) {
      return;
    }
    Map<String, String> named = new java.util.LinkedHashMap<>();
    named.put(topic, "the jobs topic");
    named.put(dev.postbus.job.JobClass.BULK.topic(topic), "the bulk jobs topic");
    named.put(topic + ".dlt", "the dead-letter topic");
    retryTopics.forEach(t -> named.put(t, "a retry tier"));
    named.put(topic + ".ledger", "the send ledger");
    named.put(dev.postbus.suppression.SuppressionTopic.of(topic), "the suppression list");
    named.put(topic + ".feedback", "the feedback topic");
    for (String t : named.keySet()) {
      if (t.length() > HostNames.MAX_TOPIC) {
        throw new ConfigException(
            "topic: the worker's topic "
                + t
                + " has "
                + t.length()
                + " characters; Kafka allows "
                + HostNames.MAX_TOPIC
                + ": shorten topic");
      }
    }
    if (eventsTopic == null) {
      return;
    }
    for (var t : named.entrySet()) {
      if (collides(eventsTopic, t.getKey())) {
        throw new ConfigException(
            "events.topic ("
                + eventsTopic
                + ") is "
                + t.getValue()
                + (eventsTopic.equals(t.getKey())
                    ? ""
                    : " (" + t.getKey() + "; Kafka takes '.' and '_' for the same)")
                + ": give events its own topic (an event read there is poison, and"
                + " dead-lettering it writes another event, without end)");
      }
    }
  }

  /** Whether Kafka takes two topic names for one: they differ at most in '.' against '_'. */
  private static boolean collides(String a, String b) {
    return a.replace('.', '_').equals(b.replace('.', '_'));
  }

  /** Sender lanes: one per connection of every relay. */
  static int lanes(List<RelayConfig> relays) {
    return relays.stream().mapToInt(RelayConfig::connections).sum();
  }

  /**
   * Kafka must be declared lost (holding delivery) before the group can give this worker's
   * partitions to another: worker.kafka-lost-after shorter than the consumer's session timeout.
   */
  static void checkKafkaLostAfter(Duration lostAfter, Map<String, String> kafkaClient) {
    Duration session = kafkaMillis(kafkaClient, "session.timeout.ms", KAFKA_SESSION_TIMEOUT);
    if (lostAfter.compareTo(session) >= 0) {
      throw new ConfigException(
          WorkerKeys.KAFKA_LOST_AFTER.name()
              + " ("
              + WorkerKeys.KAFKA_LOST_AFTER.env()
              + ") is "
              + lostAfter.toSeconds()
              + " s: it must be shorter than the consumer's session.timeout.ms ("
              + session.toMillis()
              + " ms), or another worker could take over while this one still sends");
    }
  }

  /**
   * Kafka's producer refuses, before sending, a record over its max.request.size or buffer.memory:
   * a user's value below the largest record the worker writes (a large job's retry record or dead
   * letter) would dead-letter such a job on its first failure, without its payload. Warned of, not
   * refused: a small heap lowers buffer.memory (docs/operations.md), and with the default
   * job.max-bytes that ran before this check came; only jobs that large are at risk.
   */
  static void checkProducerTakes(int largestRecord, Map<String, String> kafkaClient) {
    for (String key : List.of("max.request.size", "buffer.memory")) {
      String set = kafkaClient.get(key);
      if (set == null) {
        continue;
      }
      long value;
      try {
        value = Long.parseLong(set.trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(
            KafkaKeys.CLIENT_PREFIX + key + ": expected a number of bytes; got '" + set + "'");
      }
      if (value < largestRecord) {
        log.warn(
            "{}{} ({}) is below {} bytes, the largest record the worker writes (job.max-bytes, at"
                + " least 1 MiB, + 64 KiB of headers): the producer refuses the retry record or dead"
                + " letter of a job that large, which is then dead-lettered without its payload;"
                + " raise {}{} or lower job.max-bytes",
            KafkaKeys.CLIENT_PREFIX,
            key,
            value,
            largestRecord,
            KafkaKeys.CLIENT_PREFIX,
            key);
      }
    }
  }

  /**
   * A revocation drains inside the consumer's poll: a drain longer than max.poll.interval.ms would
   * have the member evicted in the middle of handing its partitions over.
   */
  private static void checkDrainFitsPollInterval(
      Duration drainTimeout, Map<String, String> kafkaClient) {
    if (drainTimeout == null) {
      return;
    }
    Duration poll = pollInterval(kafkaClient);
    if (drainTimeout.plus(COMMIT_MARGIN).compareTo(poll) >= 0) {
      throw new ConfigException(
          "worker.drain-timeout ("
              + ValueType.format(drainTimeout)
              + ") plus "
              + ValueType.format(COMMIT_MARGIN)
              + " to commit must be shorter than the consumer's max.poll.interval.ms ("
              + ValueType.format(poll)
              + "); shorten the drain timeout or raise kafka.client.max.poll.interval.ms");
    }
  }

  /** The consumer's max.poll.interval.ms: as set in kafka.client.*, or Kafka's default (5 min). */
  static Duration pollInterval(Map<String, String> kafkaClient) {
    return kafkaMillis(kafkaClient, "max.poll.interval.ms", KAFKA_POLL_INTERVAL);
  }

  /**
   * A Kafka client setting in milliseconds (spaces around the number allowed, as Kafka's own
   * parsing does), or its default when not set.
   */
  private static Duration kafkaMillis(
      Map<String, String> kafkaClient, String key, Duration otherwise) {
    String set = kafkaClient.get(key);
    if (set == null) {
      return otherwise;
    }
    try {
      return Duration.ofMillis(Long.parseLong(set.trim()));
    } catch (NumberFormatException e) {
      throw new ConfigException(
          KafkaKeys.CLIENT_PREFIX + key + ": expected milliseconds; got '" + set + "'");
    }
  }

  /**
   * The dedupe window is read from the send ledger at takeover, by time: the ledger must keep it.
   * Its topic keeps 2 × ledger.window; at most ledger.window leaves room for the marks' reads.
   */
  static void checkDedupeWindow(Duration dedupeWindow, Duration ledgerWindow) {
    if (dedupeWindow.isNegative()) {
      throw new ConfigException("dedupe.window: must not be negative");
    }
    if (ledgerWindow != null && dedupeWindow.compareTo(ledgerWindow) > 0) {
      throw new ConfigException(
          "dedupe.window: "
              + ValueType.format(dedupeWindow)
              + " is longer than ledger.window ("
              + ValueType.format(ledgerWindow)
              + "): the send ledger it is read from keeps only what ledger.window covers;"
              + " raise ledger.window or shorten dedupe.window");
    }
  }
}
