package dev.postbus.worker.config;

import dev.postbus.job.JobLimits;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link WorkerConfig} ({@link WorkerConfig#builder()}), validated by its constructor;
 * {@link WorkerConfig#from(Settings)} is the usual way. {@link WorkerConfig#toBuilder()} starts
 * from every setting of a config, to change some (as resilience4j's {@code from(base)}).
 */
public final class WorkerConfigBuilder {

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(WorkerConfigBuilder.class);

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
  private List<RelayConfig> relays;
  private Map<String, Integer> domainConcurrency;
  private FailureSettings failures;
  private String eventsTopic;
  private Duration ledgerWindow;
  private LedgerFormat ledgerFormat = LedgerFormat.BINARY;
  private Duration dedupeWindow; // null: its default, no longer than the ledger window
  private ReputationSettings reputation = ReputationSettings.defaults();
  private KafkaWatch kafkaWatch = KafkaWatch.defaults();
  private int httpPort;
  private Map<String, String> kafkaClient;
  private String adminTokenFile;
  private ReturnPath returnPath;
  private UnsubscribeLinks unsubscribe;
  private ClassSettings classes;

  WorkerConfigBuilder() {}

  static WorkerConfigBuilder from(WorkerConfig c) {
    WorkerConfigBuilder b = new WorkerConfigBuilder();
    b.bootstrapServers = c.bootstrapServers();
    b.topic = c.topic();
    b.group = c.group();
    b.workerId = c.workerId();
    b.limits = c.limits();
    b.topics = c.topics();
    b.drainTimeout = c.drainTimeout();
    b.commitInterval = c.commitInterval();
    b.reconnectBackoff = c.reconnectBackoff();
    b.reconnectBackoffMax = c.reconnectBackoffMax();
    b.queueCapacity = c.queueCapacity();
    b.queueBytes = c.queueBytes();
    b.maxPollRecords = c.maxPollRecords();
    b.rateLimit = c.rateLimit();
    b.rateLimitGlobal = c.rateLimitGlobal();
    b.relayMode = c.relayMode();
    b.relays = c.relays();
    b.domainConcurrency = c.domainConcurrency();
    b.failures = c.failures();
    b.eventsTopic = c.eventsTopic();
    b.ledgerWindow = c.ledgerWindow();
    b.ledgerFormat = c.ledgerFormat();
    b.dedupeWindow = c.dedupeWindow();
    b.reputation = c.reputation();
    b.kafkaWatch = c.kafkaWatch();
    b.httpPort = c.httpPort();
    b.kafkaClient = c.kafkaClient();
    b.adminTokenFile = c.adminTokenFile();
    b.returnPath = c.returnPath();
    b.unsubscribe = c.unsubscribe();
    b.classes = c.classes();
    return b;
  }

  public WorkerConfigBuilder bootstrapServers(String value) {
    this.bootstrapServers = value;
    return this;
  }

  public WorkerConfigBuilder topic(String value) {
    this.topic = value;
    return this;
  }

  public WorkerConfigBuilder group(String value) {
    this.group = value;
    return this;
  }

  public WorkerConfigBuilder workerId(String value) {
    this.workerId = value;
    return this;
  }

  public WorkerConfigBuilder limits(JobLimits value) {
    this.limits = value;
    return this;
  }

  public WorkerConfigBuilder topics(TopicSettings value) {
    this.topics = value;
    return this;
  }

  public WorkerConfigBuilder drainTimeout(Duration value) {
    this.drainTimeout = value;
    return this;
  }

  public WorkerConfigBuilder commitInterval(Duration value) {
    this.commitInterval = value;
    return this;
  }

  public WorkerConfigBuilder reconnectBackoff(Duration value) {
    this.reconnectBackoff = value;
    return this;
  }

  public WorkerConfigBuilder reconnectBackoffMax(Duration value) {
    this.reconnectBackoffMax = value;
    return this;
  }

  public WorkerConfigBuilder queueCapacity(int value) {
    this.queueCapacity = value;
    return this;
  }

  public WorkerConfigBuilder queueBytes(int value) {
    this.queueBytes = value;
    return this;
  }

  public WorkerConfigBuilder maxPollRecords(int value) {
    this.maxPollRecords = value;
    return this;
  }

  public WorkerConfigBuilder rateLimit(int value) {
    this.rateLimit = value;
    return this;
  }

  public WorkerConfigBuilder rateLimitGlobal(int value) {
    this.rateLimitGlobal = value;
    return this;
  }

  public WorkerConfigBuilder relayMode(RelayMode value) {
    this.relayMode = value;
    return this;
  }

  public WorkerConfigBuilder relays(List<RelayConfig> value) {
    this.relays = value;
    return this;
  }

  public WorkerConfigBuilder domainConcurrency(Map<String, Integer> value) {
    this.domainConcurrency = value;
    return this;
  }

  public WorkerConfigBuilder failures(FailureSettings value) {
    this.failures = value;
    return this;
  }

  public WorkerConfigBuilder eventsTopic(String value) {
    this.eventsTopic = value;
    return this;
  }

  public WorkerConfigBuilder ledgerWindow(Duration value) {
    this.ledgerWindow = value;
    return this;
  }

  /**
   * Idempotent publishing's window ({@code dedupe.window}); zero: off; null (unset): its default
   * (1h), no longer than the ledger window (the ledger it is read from keeps no more), as the
   * configuration reader has it.
   */
  public WorkerConfigBuilder dedupeWindow(Duration value) {
    this.dedupeWindow = value;
    return this;
  }

  public WorkerConfigBuilder ledgerFormat(LedgerFormat value) {
    this.ledgerFormat = value;
    return this;
  }

  public WorkerConfigBuilder reputation(ReputationSettings value) {
    this.reputation = value;
    return this;
  }

  public WorkerConfigBuilder kafkaWatch(KafkaWatch value) {
    this.kafkaWatch = value;
    return this;
  }

  public WorkerConfigBuilder httpPort(int value) {
    this.httpPort = value;
    return this;
  }

  public WorkerConfigBuilder kafkaClient(Map<String, String> value) {
    this.kafkaClient = value;
    return this;
  }

  public WorkerConfigBuilder adminTokenFile(String value) {
    this.adminTokenFile = value;
    return this;
  }

  /** The VERP return path; null (the default) sends with the job's from as envelope sender. */
  public WorkerConfigBuilder returnPath(ReturnPath value) {
    this.returnPath = value;
    return this;
  }

  /** The one-click unsubscribe links; null (the default) refuses jobs with unsubscribe. */
  public WorkerConfigBuilder unsubscribe(UnsubscribeLinks value) {
    this.unsubscribe = value;
    return this;
  }

  /** How the two job classes are scheduled; null (the default) is on with the defaults. */
  public WorkerConfigBuilder classes(ClassSettings value) {
    this.classes = value;
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
        ledgerFormat,
        dedupeWindow != null ? dedupeWindow : defaultDedupeWindow(ledgerWindow),
        reputation,
        kafkaWatch,
        httpPort,
        kafkaClient,
        adminTokenFile,
        returnPath,
        unsubscribe,
        classes);
  }

  /**
   * The default dedupe window, cut to {@code ledgerWindow} when that is shorter (a shorter ledger
   * window set alone is not an error): said once, at start-up, when it is cut.
   */
  private static Duration defaultDedupeWindow(Duration ledgerWindow) {
    Duration d = KafkaKeys.DEDUPE_WINDOW.defaultValue();
    if (ledgerWindow == null || d.compareTo(ledgerWindow) <= 0) {
      return d;
    }
    log.info(
        "dedupe.window (unset, {} by default) is cut to ledger.window ({}): the ledger it is read"
            + " from keeps no more",
        ValueType.format(d),
        ValueType.format(ledgerWindow));
    return ledgerWindow;
  }
}
