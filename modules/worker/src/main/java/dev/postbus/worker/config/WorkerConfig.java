package dev.postbus.worker.config;

import dev.postbus.job.JobLimits;
import dev.postbus.smtp.OutcomeClass;
import dev.postbus.smtp.ReplyClassifier;
import dev.postbus.smtp.Secret;
import dev.postbus.smtp.SmtpConfig;
import dev.postbus.smtp.TrustStore;
import dev.postbus.worker.retry.RetryPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything a worker needs, immutable and validated. Build it with {@link #from(Settings)}; a bad
 * value stops there with a {@link ConfigException} naming the key.
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
    java.util.List<RelayConfig> relays, // one (from smtp.*) unless `relays` names several
    Map<String, Integer> domainConcurrency, // recipient domain -> parallel sends
    FailureSettings failures,
    String eventsTopic, // null: events are off
    Duration ledgerWindow, // null: the send ledger is off
    ReputationSettings reputation,
    KafkaWatch kafkaWatch,
    int httpPort,
    Map<String, String> kafkaClient,
    String adminTokenFile) { // http.admin-token-file, null: /admin/* refused

  /** How the worker creates missing topics. */
  public record TopicSettings(boolean autoCreate, int partitions, short replication) {}

  /**
   * How the worker watches Kafka.
   *
   * @param startupTimeout how long a starting worker waits for Kafka (zero: forever)
   * @param lostAfter how long a running worker goes without contact before it reports Kafka lost
   */
  public record KafkaWatch(Duration startupTimeout, Duration lostAfter) {
    public static KafkaWatch defaults() {
      return new KafkaWatch(
          Keys.STARTUP_TIMEOUT.defaultValue(), Keys.KAFKA_LOST_AFTER.defaultValue());
    }
  }

  /**
   * The suppression list and the bounce-rate guard.
   *
   * @param suppressionCodes permanent enhanced codes that put a recipient on the list (empty: none)
   * @param guardWindow recipients the guard judges
   * @param guardMaxBounceRate share of them refused permanently that pauses delivery (0: off)
   */
  public record ReputationSettings(
      java.util.Set<String> suppressionCodes, int guardWindow, double guardMaxBounceRate) {
    public ReputationSettings {
      suppressionCodes = java.util.Set.copyOf(suppressionCodes);
    }

    public boolean guardOn() {
      return guardMaxBounceRate > 0;
    }

    /** The defaults of the configuration reference. */
    public static ReputationSettings defaults() {
      return new ReputationSettings(
          Keys.SUPPRESSION_CODES.defaultValue(),
          Keys.GUARD_WINDOW.defaultValue(),
          Keys.GUARD_MAX_BOUNCE_RATE.defaultValue());
    }
  }

  /** How failures are classified and retried. */
  public record FailureSettings(
      RetryPolicy ladder,
      InDoubtPolicy inDoubt,
      int freshConnectionAttempts,
      Map<String, OutcomeClass> classOverrides) {
    public FailureSettings {
      classOverrides = Map.copyOf(classOverrides);
    }

    public ReplyClassifier classifier() {
      return new ReplyClassifier(classOverrides);
    }
  }

  public WorkerConfig {
    kafkaClient = Map.copyOf(kafkaClient);
    relays = java.util.List.copyOf(relays);
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
    int lanes = lanes(relays);
    if (queueCapacity < lanes) {
      throw new ConfigException(
          "worker.queue-capacity ("
              + queueCapacity
              + ") must be at least the connections of "
              + "all relays ("
              + lanes
              + ") so that every lane can have work");
    }
  }

  /** Sender lanes: one per connection of every relay. */
  public int lanes() {
    return lanes(relays);
  }

  private static int lanes(java.util.List<RelayConfig> relays) {
    return relays.stream().mapToInt(RelayConfig::connections).sum();
  }

  /**
   * True when the relays come from {@code relays} (the worker's own rate limits then cover them
   * all); the name of the single {@code smtp.*} relay is reserved, so it tells the two apart.
   */
  public boolean severalRelays() {
    return relays.size() > 1 || !relays.get(0).name().equals(RelayConfig.SINGLE);
  }

  public String deadLetterTopic() {
    return topic + ".dlt";
  }

  /** The jobs topic and the retry tiers: what the worker consumes. */
  public java.util.List<String> consumedTopics() {
    var list = new java.util.ArrayList<String>();
    list.add(topic);
    list.addAll(failures.ladder().topics(topic));
    return list;
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
    return dev.postbus.suppression.SuppressionTopic.of(topic);
  }

  /** Every topic the worker reads or writes. */
  public java.util.List<String> allTopics() {
    var list = new java.util.ArrayList<>(consumedTopics());
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
   * job) and also trimmed by age, keeping twice the window a new owner reads.
   */
  public Map<String, Map<String, String>> topicConfigs() {
    Map<String, String> suppressions = dev.postbus.suppression.SuppressionTopic.config();
    if (!ledgerOn()) {
      return Map.of(suppressionsTopic(), suppressions);
    }
    return Map.of(
        suppressionsTopic(),
        suppressions,
        ledgerTopic(),
        Map.of(
            "cleanup.policy",
            "compact,delete",
            "retention.ms",
            Long.toString(ledgerWindow.multipliedBy(2).toMillis())));
  }

  public static WorkerConfig from(Settings s) {
    int connections = s.require(Keys.SMTP_CONNECTIONS);
    SmtpConfig smtp;
    JobLimits limits;
    FailureSettings failures;
    try {
      failures =
          new FailureSettings(
              new RetryPolicy(
                  s.require(Keys.RETRY_DELAYS),
                  s.require(Keys.RETRY_MAX_ATTEMPTS),
                  s.require(Keys.RETRY_MAX_AGE),
                  s.require(Keys.RETRY_JITTER)),
              s.require(Keys.RETRY_IN_DOUBT),
              s.require(Keys.FRESH_CONNECTION_ATTEMPTS),
              s.require(Keys.CLASS_OVERRIDES));
      smtp = smtp(s);
      int maxBytes = s.require(Keys.JOB_MAX_BYTES);
      limits =
          new JobLimits(
              maxBytes,
              s.get(Keys.JOB_MAX_ATTACHMENT_BYTES)
                  .orElse(Math.min(JobLimits.DEFAULT_MAX_ATTACHMENT_BYTES, maxBytes)),
              s.require(Keys.JOB_MAX_RECIPIENTS));
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ConfigException(e.getMessage());
    }
    RelayMode mode = s.require(Keys.RELAYS_MODE);
    java.util.List<RelayConfig> relays =
        s.get(Keys.RELAYS)
            .map(names -> relays(s, names))
            .orElseGet(
                () ->
                    java.util.List.of(
                        new RelayConfig(
                            RelayConfig.SINGLE,
                            smtp,
                            connections,
                            s.require(Keys.SMTP_CONNECTIONS_GLOBAL),
                            s.require(Keys.RATE_LIMIT),
                            s.require(Keys.RATE_LIMIT_GLOBAL),
                            1,
                            java.util.List.of(RelayConfig.ANY_POOL))));
    if (s.get(Keys.RELAYS).isEmpty() && !s.relayNamesWithKeys().isEmpty()) {
      throw new ConfigException(
          "relay."
              + s.relayNamesWithKeys().iterator().next()
              + ".* keys are set but relays "
              + "("
              + Keys.RELAYS.env()
              + ") is not; list the relays in order, e.g. relays="
              + String.join(",", s.relayNamesWithKeys()));
    }
    checkKafkaLostAfter(s);
    int lanes = lanes(relays);
    return builder()
        .bootstrapServers(s.require(Keys.BOOTSTRAP_SERVERS))
        .topic(s.require(Keys.TOPIC))
        .group(s.require(Keys.GROUP))
        .workerId(s.get(Keys.WORKER_ID).orElseGet(WorkerConfig::defaultWorkerId))
        .limits(limits)
        .topics(
            new TopicSettings(
                s.require(Keys.TOPICS_AUTO_CREATE),
                s.require(Keys.TOPICS_PARTITIONS),
                s.require(Keys.TOPICS_REPLICATION).shortValue()))
        .drainTimeout(s.require(Keys.DRAIN_TIMEOUT))
        .commitInterval(s.require(Keys.COMMIT_INTERVAL))
        .reconnectBackoff(s.require(Keys.RECONNECT_BACKOFF))
        .reconnectBackoffMax(s.require(Keys.RECONNECT_BACKOFF_MAX))
        .queueCapacity(s.get(Keys.QUEUE_CAPACITY).orElse(Math.max(MIN_QUEUE_CAPACITY, 2 * lanes)))
        .queueBytes(s.require(Keys.QUEUE_BYTES))
        .maxPollRecords(s.require(Keys.MAX_POLL_RECORDS))
        .rateLimit(s.require(Keys.RATE_LIMIT))
        .rateLimitGlobal(s.require(Keys.RATE_LIMIT_GLOBAL))
        .relayMode(mode)
        .relays(relays)
        .domainConcurrency(s.require(Keys.DOMAIN_CONCURRENCY))
        .failures(failures)
        .eventsTopic(s.require(Keys.EVENTS_ENABLED) ? s.require(Keys.EVENTS_TOPIC) : null)
        .ledgerWindow(s.require(Keys.LEDGER_ENABLED) ? s.require(Keys.LEDGER_WINDOW) : null)
        .reputation(
            new ReputationSettings(
                s.require(Keys.SUPPRESSION_CODES),
                s.require(Keys.GUARD_WINDOW),
                s.require(Keys.GUARD_MAX_BOUNCE_RATE)))
        .kafkaWatch(
            new KafkaWatch(s.require(Keys.STARTUP_TIMEOUT), s.require(Keys.KAFKA_LOST_AFTER)))
        .httpPort(s.require(Keys.HTTP_PORT))
        .kafkaClient(s.kafkaClient())
        .adminTokenFile(s.get(Keys.HTTP_ADMIN_TOKEN_FILE).orElse(null))
        .build();
  }

  /** Kafka's default consumer session timeout (session.timeout.ms). */
  private static final Duration KAFKA_SESSION_TIMEOUT = Duration.ofSeconds(45);

  /**
   * Kafka must be declared lost (holding delivery) before the group can give this worker's
   * partitions to another: worker.kafka-lost-after shorter than the consumer's session timeout.
   */
  private static void checkKafkaLostAfter(Settings s) {
    Duration lostAfter = s.require(Keys.KAFKA_LOST_AFTER);
    String configured = s.kafkaClient().get("session.timeout.ms");
    Duration session;
    try {
      session =
          configured == null
              ? KAFKA_SESSION_TIMEOUT
              : Duration.ofMillis(Long.parseLong(configured));
    } catch (NumberFormatException e) {
      throw new ConfigException(
          Keys.KAFKA_CLIENT_PREFIX + "session.timeout.ms must be a number of milliseconds");
    }
    if (lostAfter.compareTo(session) >= 0) {
      throw new ConfigException(
          Keys.KAFKA_LOST_AFTER.name()
              + " ("
              + Keys.KAFKA_LOST_AFTER.env()
              + ") is "
              + lostAfter.toSeconds()
              + " s: it must be shorter than the consumer's session.timeout.ms ("
              + session.toMillis()
              + " ms), or another worker could take over while this one still sends");
    }
  }

  /**
   * The smallest dispatch queue, whatever the lanes (worker.queue-capacity's default is 2 × lanes,
   * at least this).
   */
  static final int MIN_QUEUE_CAPACITY = 64;

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding every setting of this config, to change some (as resilience4j's {@code
   * from(base)}).
   */
  public Builder toBuilder() {
    return Builder.from(this);
  }

  /**
   * Builds a {@link WorkerConfig}, validated by its constructor; {@link #from(Settings)} is the
   * usual way.
   */
  public static final class Builder {
    private String bootstrapServers;
    private String topic;
    private String group;
    private String workerId;
    private JobLimits limits;
    private TopicSettings topics;
    private Duration drainTimeout;
    private Duration commitInterval;
    private Duration reconnectBackoff;
    private Duration reconnectBackoffMax;
    private int queueCapacity;
    private int queueBytes;
    private int maxPollRecords;
    private int rateLimit;
    private int rateLimitGlobal;
    private RelayMode relayMode;
    private java.util.List<RelayConfig> relays;
    private Map<String, Integer> domainConcurrency;
    private FailureSettings failures;
    private String eventsTopic;
    private Duration ledgerWindow;
    private ReputationSettings reputation = ReputationSettings.defaults();
    private KafkaWatch kafkaWatch = KafkaWatch.defaults();
    private int httpPort;
    private Map<String, String> kafkaClient;
    private String adminTokenFile;

    private Builder() {}

    private static Builder from(WorkerConfig c) {
      Builder b = new Builder();
      b.bootstrapServers = c.bootstrapServers;
      b.topic = c.topic;
      b.group = c.group;
      b.workerId = c.workerId;
      b.limits = c.limits;
      b.topics = c.topics;
      b.drainTimeout = c.drainTimeout;
      b.commitInterval = c.commitInterval;
      b.reconnectBackoff = c.reconnectBackoff;
      b.reconnectBackoffMax = c.reconnectBackoffMax;
      b.queueCapacity = c.queueCapacity;
      b.queueBytes = c.queueBytes;
      b.maxPollRecords = c.maxPollRecords;
      b.rateLimit = c.rateLimit;
      b.rateLimitGlobal = c.rateLimitGlobal;
      b.relayMode = c.relayMode;
      b.relays = c.relays;
      b.domainConcurrency = c.domainConcurrency;
      b.failures = c.failures;
      b.eventsTopic = c.eventsTopic;
      b.ledgerWindow = c.ledgerWindow;
      b.reputation = c.reputation;
      b.kafkaWatch = c.kafkaWatch;
      b.httpPort = c.httpPort;
      b.kafkaClient = c.kafkaClient;
      b.adminTokenFile = c.adminTokenFile;
      return b;
    }

    public Builder bootstrapServers(String value) {
      this.bootstrapServers = value;
      return this;
    }

    public Builder topic(String value) {
      this.topic = value;
      return this;
    }

    public Builder group(String value) {
      this.group = value;
      return this;
    }

    public Builder workerId(String value) {
      this.workerId = value;
      return this;
    }

    public Builder limits(JobLimits value) {
      this.limits = value;
      return this;
    }

    public Builder topics(TopicSettings value) {
      this.topics = value;
      return this;
    }

    public Builder drainTimeout(Duration value) {
      this.drainTimeout = value;
      return this;
    }

    public Builder commitInterval(Duration value) {
      this.commitInterval = value;
      return this;
    }

    public Builder reconnectBackoff(Duration value) {
      this.reconnectBackoff = value;
      return this;
    }

    public Builder reconnectBackoffMax(Duration value) {
      this.reconnectBackoffMax = value;
      return this;
    }

    public Builder queueCapacity(int value) {
      this.queueCapacity = value;
      return this;
    }

    public Builder queueBytes(int value) {
      this.queueBytes = value;
      return this;
    }

    public Builder maxPollRecords(int value) {
      this.maxPollRecords = value;
      return this;
    }

    public Builder rateLimit(int value) {
      this.rateLimit = value;
      return this;
    }

    public Builder rateLimitGlobal(int value) {
      this.rateLimitGlobal = value;
      return this;
    }

    public Builder relayMode(RelayMode value) {
      this.relayMode = value;
      return this;
    }

    public Builder relays(java.util.List<RelayConfig> value) {
      this.relays = value;
      return this;
    }

    public Builder domainConcurrency(Map<String, Integer> value) {
      this.domainConcurrency = value;
      return this;
    }

    public Builder failures(FailureSettings value) {
      this.failures = value;
      return this;
    }

    public Builder eventsTopic(String value) {
      this.eventsTopic = value;
      return this;
    }

    public Builder ledgerWindow(Duration value) {
      this.ledgerWindow = value;
      return this;
    }

    public Builder reputation(ReputationSettings value) {
      this.reputation = value;
      return this;
    }

    public Builder kafkaWatch(KafkaWatch value) {
      this.kafkaWatch = value;
      return this;
    }

    public Builder httpPort(int value) {
      this.httpPort = value;
      return this;
    }

    public Builder kafkaClient(Map<String, String> value) {
      this.kafkaClient = value;
      return this;
    }

    public Builder adminTokenFile(String value) {
      this.adminTokenFile = value;
      return this;
    }

    public WorkerConfig build() {
      return new WorkerConfig(
          bootstrapServers,
          topic,
          group,
          workerId,
          limits,
          topics,
          drainTimeout,
          commitInterval,
          reconnectBackoff,
          reconnectBackoffMax,
          queueCapacity,
          queueBytes,
          maxPollRecords,
          rateLimit,
          rateLimitGlobal,
          relayMode,
          relays,
          domainConcurrency,
          failures,
          eventsTopic,
          ledgerWindow,
          reputation,
          kafkaWatch,
          httpPort,
          kafkaClient,
          adminTokenFile);
    }
  }

  private static SmtpConfig smtp(Settings s) {
    return SmtpConfig.builder(
            s.require(Keys.SMTP_HOST), s.require(Keys.SMTP_PORT), s.require(Keys.SMTP_TLS))
        .credentials(s.get(Keys.SMTP_USERNAME).orElse(null), password(s))
        .verifyCertificates(s.require(Keys.SMTP_TLS_VERIFY))
        .heloName(s.get(Keys.SMTP_HELO_NAME).orElse(null))
        .connectTimeout(s.require(Keys.SMTP_CONNECT_TIMEOUT))
        .readTimeout(s.require(Keys.SMTP_READ_TIMEOUT))
        .writeTimeout(s.require(Keys.SMTP_WRITE_TIMEOUT))
        .dataDoneTimeout(s.require(Keys.SMTP_DATA_DONE_TIMEOUT))
        .authOverPlaintext(s.require(Keys.SMTP_AUTH_OVER_PLAINTEXT) == PlaintextAuth.ALLOW)
        .maxMessagesPerConnection(s.require(Keys.SMTP_MAX_MESSAGES))
        .maxConnectionAge(s.require(Keys.SMTP_MAX_AGE))
        .idleTimeout(s.require(Keys.SMTP_IDLE_TIMEOUT))
        .authMechanism(s.require(Keys.SMTP_AUTH_MECHANISM))
        .trustStore(
            s.get(Keys.SMTP_TRUST_STORE)
                .map(
                    f ->
                        TrustStore.load(
                            Path.of(f),
                            s.get(Keys.SMTP_TRUST_STORE_PASSWORD).map(Secret::of).orElse(null)))
                .orElse(null))
        .pipelining(s.require(Keys.SMTP_PIPELINING) == ExtensionUse.AUTO)
        .chunking(s.require(Keys.SMTP_CHUNKING) == ExtensionUse.AUTO)
        .build();
  }

  /** The relays named by {@code relays}, each from its own keys over the smtp.* ones. */
  private static java.util.List<RelayConfig> relays(Settings s, java.util.List<String> names) {
    if (names.contains(RelayConfig.SINGLE)) {
      throw new ConfigException(
          "relays ("
              + Keys.RELAYS.env()
              + "): the name '"
              + RelayConfig.SINGLE
              + "' is reserved "
              + "for the single relay configured by smtp.*; choose another name");
    }
    for (String withKeys : s.relayNamesWithKeys()) {
      if (!names.contains(withKeys)) {
        throw new ConfigException(
            "relay."
                + withKeys
                + ".* keys are set but "
                + withKeys
                + " is not in relays ("
                + String.join(",", names)
                + ")");
      }
    }
    java.util.List<RelayConfig> list = new java.util.ArrayList<>();
    for (String name : names) {
      Settings r = s.forRelay(name);
      try {
        list.add(
            new RelayConfig(
                name,
                smtp(r),
                r.require(Keys.SMTP_CONNECTIONS),
                r.require(Keys.SMTP_CONNECTIONS_GLOBAL),
                s.requireForRelay(RelayKeys.RATE_LIMIT, name),
                s.requireForRelay(RelayKeys.RATE_LIMIT_GLOBAL, name),
                s.requireForRelay(RelayKeys.WEIGHT, name),
                s.requireForRelay(RelayKeys.POOLS, name)));
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new ConfigException("relay " + name + ": " + e.getMessage());
      }
    }
    return list;
  }

  private static Secret password(Settings s) {
    var inline = s.get(Keys.SMTP_PASSWORD);
    var file = s.get(Keys.SMTP_PASSWORD_FILE);
    if (inline.isPresent() && file.isPresent()) {
      throw new ConfigException("smtp.password and smtp.password-file are both set; set one");
    }
    if (file.isPresent()) {
      try {
        return Secret.fromFile(Path.of(file.get()));
      } catch (IOException e) {
        throw new ConfigException(
            "smtp.password-file ("
                + Keys.SMTP_PASSWORD_FILE.env()
                + "): cannot read "
                + file.get()
                + ": "
                + e.getClass().getSimpleName());
      }
    }
    return inline.map(Secret::of).orElse(null);
  }

  static String defaultWorkerId() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "worker";
    }
    return host + "-" + ProcessHandle.current().pid();
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
        + ", kafka.client keys="
        + kafkaClient.keySet()
        + "]";
  }

  /** Kafka's default max.poll.interval.ms. */
  private static final Duration KAFKA_POLL_INTERVAL = Duration.ofMinutes(5);

  /** How long the commit after a drain may take (ConsumeLoop's commit timeout). */
  private static final Duration COMMIT_MARGIN = Duration.ofSeconds(10);

  /**
   * A revocation drains inside the consumer's poll: a drain longer than max.poll.interval.ms would
   * have the member evicted in the middle of handing its partitions over.
   */
  private static void checkDrainFitsPollInterval(
      Duration drainTimeout, Map<String, String> kafkaClient) {
    if (drainTimeout == null) {
      return;
    }
    Duration poll = KAFKA_POLL_INTERVAL;
    String set = kafkaClient.get("max.poll.interval.ms");
    if (set != null) {
      try {
        poll = Duration.ofMillis(Long.parseLong(set.trim()));
      } catch (NumberFormatException e) {
        throw new ConfigException(
            "kafka.client.max.poll.interval.ms: expected milliseconds; got '" + set + "'");
      }
    }
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
}
