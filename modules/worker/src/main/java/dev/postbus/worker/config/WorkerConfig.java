package dev.postbus.worker.config;

import dev.postbus.job.JobClass;
import dev.postbus.job.JobLimits;
import dev.postbus.suppression.SuppressionTopic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything a worker needs, immutable and validated. Build it with {@link #from(Settings)} ({@link
 * WorkerConfigReader}); a bad value stops there with a {@link ConfigException} naming the key, and
 * the checks that span several keys ({@link WorkerConfigChecks}) run in the constructor.
 */
public record WorkerConfig(
    String bootstrapServers,
    String topic,
    String group,
    String workerId,
    JobLimits limits,
    TopicSettings topics,
    Duration drainTimeout,
    Duration commitInterval,
    Duration reconnectBackoff,
    Duration reconnectBackoffMax,
    int queueCapacity,
    int queueBytes,
    int maxPollRecords,
    int rateLimit, // messages/s for this worker, 0: none
    int rateLimitGlobal, // messages/s for the group, 0: none
    RelayMode relayMode,
    List<RelayConfig> relays, // one (from smtp.*) unless `relays` names several
    Map<String, Integer> domainConcurrency, // recipient domain -> parallel sends
    FailureSettings failures,
    String eventsTopic, // null: events are off
    Duration ledgerWindow, // null: the send ledger is off
    LedgerFormat ledgerFormat,
    Duration dedupeWindow, // zero: idempotent publishing is off
    ReputationSettings reputation,
    KafkaWatch kafkaWatch,
    int httpPort,
    Map<String, String> kafkaClient,
    String adminTokenFile, // http.admin-token-file, null: /admin/* refused
    ReturnPath returnPath, // feedback.return-path-domain, null: no VERP
    UnsubscribeLinks unsubscribe, // unsubscribe.base-url, null: jobs with unsubscribe refused
    ClassSettings classes) { // null: the defaults for the lanes

  public WorkerConfig {
    kafkaClient = Map.copyOf(kafkaClient);
    relays = List.copyOf(relays);
    int lanes = WorkerConfigChecks.lanes(relays);
    classes = classes == null ? ClassSettings.defaults(lanes) : classes.forLanes(lanes);
    classes.checkAgainst(lanes);
    WorkerConfigChecks.check(
        relays,
        reconnectBackoff,
        reconnectBackoffMax,
        drainTimeout,
        kafkaClient,
        queueCapacity,
        ledgerWindow);
    if (limits != null) {
      WorkerConfigChecks.checkProducerTakes(largestRecordBytes(limits), kafkaClient);
    }
    WorkerConfigChecks.checkTopics(
        topic, eventsTopic, failures == null ? List.of() : failures.ladder().topics(topic));
    dedupeWindow = dedupeWindow == null ? Duration.ZERO : dedupeWindow;
    WorkerConfigChecks.checkDedupeWindow(dedupeWindow, ledgerWindow);
  }

  /** True when idempotent publishing is on: a window, and the send ledger it reads. */
  public boolean dedupeOn() {
    return ledgerOn() && !dedupeWindow.isZero();
  }

  /**
   * The consumer's max.poll.interval.ms: {@code kafka.client.max.poll.interval.ms}, or Kafka's
   * default (5 min) when it is not set. A member that does not poll within it is evicted.
   */
  public Duration maxPollInterval() {
    return WorkerConfigChecks.pollInterval(kafkaClient);
  }

  /** Reads the configuration from {@code s}; a bad value throws a {@link ConfigException}. */
  public static WorkerConfig from(Settings s) {
    return WorkerConfigReader.read(s);
  }

  public static WorkerConfigBuilder builder() {
    return new WorkerConfigBuilder();
  }

  /**
   * A builder holding every setting of this config, to change some (as resilience4j's {@code
   * from(base)}).
   */
  public WorkerConfigBuilder toBuilder() {
    return WorkerConfigBuilder.from(this);
  }

  /** Sender lanes: one per connection of every relay. */
  public int lanes() {
    return WorkerConfigChecks.lanes(relays);
  }

  /**
   * True when the relays come from {@code relays} (the worker's own rate limits then cover them
   * all); the name of the single {@code smtp.*} relay is reserved, so it tells the two apart.
   */
  public boolean severalRelays() {
    return relays.size() > 1 || !relays.get(0).name().equals(RelayConfig.SINGLE);
  }

  /**
   * A topic's largest record unless configured otherwise (Kafka's max.message.bytes default, about
   * 1 MiB).
   */
  public static final int KAFKA_DEFAULT_RECORD_BYTES = 1024 * 1024;

  /** Room for the headers of a retry record or dead letter beside the payload it carries. */
  public static final int RECORD_HEADROOM_BYTES = 64 * 1024;

  /**
   * The largest record the worker writes of a job it accepts (a retry record, a dead letter):
   * job.max-bytes, at least Kafka's default, plus room for headers. The producer's max.request.size
   * and buffer.memory at least (a user's smaller value stops start-up), and the tiers' and
   * dead-letter topic's max.message.bytes (when the worker creates them).
   */
  public int largestRecordBytes() {
    return largestRecordBytes(limits);
  }

  private static int largestRecordBytes(JobLimits limits) {
    return Math.max(limits.maxPayloadBytes(), KAFKA_DEFAULT_RECORD_BYTES) + RECORD_HEADROOM_BYTES;
  }

  public String deadLetterTopic() {
    return topic + ".dlt";
  }

  /** The bulk jobs: the jobs topic's name with {@code .bulk}. */
  public String bulkTopic() {
    return JobClass.BULK.topic(topic);
  }

  /** The jobs topic, the bulk topic and the retry tiers: what the worker consumes. */
  public List<String> consumedTopics() {
    var list = new ArrayList<String>();
    list.add(topic);
    list.add(bulkTopic());
    list.addAll(failures.ladder().topics(topic));
    return list;
  }

  /**
   * The partitions the group consumes when the worker created its topics ({@code topics.partitions}
   * for each consumed topic): what a group limit is divided by until Kafka has told the real count.
   */
  public int expectedPartitions() {
    return topics.partitions() * consumedTopics().size();
  }

  /** The send ledger: the jobs topic's name with {@code .ledger}. */
  public String ledgerTopic() {
    return topic + ".ledger";
  }

  public boolean ledgerOn() {
    return ledgerWindow != null;
  }

  /** The suppression list: the jobs topic's name with {@code .suppressions}. */
  public String suppressionsTopic() {
    return SuppressionTopic.of(topic);
  }

  /**
   * The bounces and complaints reported later ({@code postbus feedback} writes it; the guard reads
   * it): the jobs topic's name with {@code .feedback}.
   */
  public String feedbackTopic() {
    return topic + ".feedback";
  }

  /** Every topic the worker reads or writes. */
  public List<String> allTopics() {
    var list = new ArrayList<>(consumedTopics());
    list.add(deadLetterTopic());
    list.add(suppressionsTopic());
    if (eventsTopic != null) {
      list.add(eventsTopic);
    }
    if (ledgerOn()) {
      list.add(ledgerTopic());
    }
    return list;
  }

  /**
   * Topic settings that differ from the broker's defaults: the ledger is compacted (one entry per
   * job) and also trimmed by age, keeping twice the window a new owner reads; the retry tiers and
   * the dead-letter topic take any record the worker writes of a job it accepts ({@link
   * #largestRecordBytes}), so a job the jobs topic took (raised for attachments) is not refused on
   * its way to a tier.
   */
  public Map<String, Map<String, String>> topicConfigs() {
    Map<String, Map<String, String>> configs = new java.util.HashMap<>();
    configs.put(suppressionsTopic(), SuppressionTopic.config());
    Map<String, String> largest =
        Map.of("max.message.bytes", Integer.toString(largestRecordBytes()));
    failures.ladder().topics(topic).forEach(tier -> configs.put(tier, largest));
    configs.put(deadLetterTopic(), largest);
    if (ledgerOn()) {
      configs.put(
          ledgerTopic(),
          Map.of(
              "cleanup.policy",
              "compact,delete",
              "retention.ms",
              Long.toString(ledgerWindow.multipliedBy(2).toMillis())));
    }
    return Map.copyOf(configs);
  }

  @Override
  public String toString() {
    return "WorkerConfig["
        + workerId
        + ", kafka="
        + bootstrapServers
        + ", topic="
        + topic
        + ", group="
        + group
        + ", connections="
        + lanes()
        + ", "
        + (severalRelays() ? "relays " + relayMode + " " + relays : relays.get(0).smtp())
        + (returnPath == null ? "" : ", return path " + returnPath)
        + (unsubscribe == null ? "" : ", unsubscribe " + unsubscribe)
        + ", kafka.client keys="
        + kafkaClient.keySet()
        + "]";
  }
}
