package dev.postbus.worker.lifecycle;

import dev.postbus.job.JobCodec;
import dev.postbus.smtp.SmtpConnection;
import dev.postbus.suppression.SuppressionReader;
import dev.postbus.suppression.SuppressionSet;
import dev.postbus.suppression.SuppressionWriter;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.consume.ConsumeLoop;
import dev.postbus.worker.consume.KafkaContact;
import dev.postbus.worker.delivery.DomainGate;
import dev.postbus.worker.delivery.MessageBuilder;
import dev.postbus.worker.delivery.Preparation;
import dev.postbus.worker.delivery.SenderLane;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.DispatchQueue;
import dev.postbus.worker.ledger.LedgerIndex;
import dev.postbus.worker.ledger.LedgerReader;
import dev.postbus.worker.outcome.DurableSender;
import dev.postbus.worker.outcome.Outcomes;
import dev.postbus.worker.relay.Relays;
import dev.postbus.worker.relay.SendRate;
import dev.postbus.worker.reputation.BounceGuard;
import dev.postbus.worker.reputation.Suppressions;
import dev.postbus.worker.time.Ticker;
import dev.postbus.worker.topics.TopicProvisioner;
import io.github.resilience4j.core.IntervalFunction;
import jakarta.mail.Session;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Postbus worker: one consumer thread, K sender lanes with one SMTP connection each, and one
 * producer for retry records, dead letters and outcome events. {@link #start} returns a running
 * worker; {@link #close} drains it (in-flight sends finish, offsets are committed, connections say
 * QUIT, the consumer leaves the group).
 */
public final class Worker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  /**
   * Beyond the drain timeout, how long the consumer thread may take to commit and leave the group.
   */
  private static final Duration CONSUMER_STOP_MARGIN = Duration.ofSeconds(15);

  /**
   * Beyond the slowest relay's read timeout, how long a lane may take to finish its send and stop.
   */
  private static final Duration LANE_STOP_MARGIN = Duration.ofSeconds(5);

  /** How long the producers may take to send what they still hold when the worker stops. */
  private static final Duration PRODUCER_CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final WorkerConfig config;
  private final Clock clock;
  private final WorkerHealth health;
  private final WorkerStats stats = new WorkerStats();
  private final BlockingQueue<Delivery> finished = new LinkedBlockingQueue<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final List<SenderLane> lanes = new ArrayList<>();
  private final List<Thread> laneThreads = new ArrayList<>();
  private final KafkaProducer<byte[], byte[]> producer;
  private final ScheduledExecutorService scheduler;

  /**
   * Runs what the producers' acknowledgements lead to, apart from the resends (which may block).
   */
  private final java.util.concurrent.ExecutorService acks;

  private final ConsumeLoop consumeLoop;
  private final Thread consumerThread;
  private final Relays relays;
  private final WorkerMetrics metrics;
  private OpsServer ops;
  private final LedgerReader ledgerReader;
  private final KafkaProducer<byte[], byte[]> ledgerProducer;
  private final Suppressions suppressions;
  private final BounceGuard guard;

  private SuppressionReader suppressionReader;

  /** Longest the worker reads the suppression list at start-up before it gives up. */
  private static final Duration SUPPRESSIONS_LOAD_TIMEOUT = Duration.ofMinutes(2);

  private Worker(WorkerConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.health = new WorkerHealth(config, clock);
    this.producer =
        new KafkaProducer<>(
            KafkaClients.producer(config), new ByteArraySerializer(), new ByteArraySerializer());
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "postbus-resend"));
    this.acks = Executors.newSingleThreadExecutor(r -> daemon(r, "postbus-acks"));
    DispatchQueue queue =
        new DispatchQueue(config.queueCapacity(), config.queueBytes(), config.maxPollRecords());
    Outcomes outcomes =
        new Outcomes(
            new DurableSender(producer, acks, scheduler),
            config.deadLetterTopic(),
            config.eventsTopic(),
            config.workerId(),
            config.failures().ladder(),
            config.failures().inDoubt(),
            config.topic(),
            stats,
            finished::add,
            clock);
    SendRate total =
        config.severalRelays() && (config.rateLimit() > 0 || config.rateLimitGlobal() > 0)
            ? new SendRate(config.rateLimit(), config.rateLimitGlobal())
            : null;
    this.relays =
        new Relays(
            config.relays(),
            config.relayMode(),
            total,
            IntervalFunction.ofExponentialRandomBackoff(
                config.reconnectBackoff(), 2.0, 0.5, config.reconnectBackoffMax()),
            clock,
            health::onRelayChange);
    this.suppressions =
        new Suppressions(
            new SuppressionSet(),
            config.reputation().suppressionCodes(),
            new SuppressionWriter(producer, config.suppressionsTopic()),
            scheduler,
            clock);
    this.guard =
        new BounceGuard(
            config.reputation().guardWindow(),
            config.reputation().guardMaxBounceRate(),
            health::onGuardTrip);
    suppressions.onGroupGuard(health::onGroupGuard);
    health.watch(relays, guard, suppressions);
    Session session = SmtpConnection.sessionFor(config.relays().get(0).smtp());
    SenderLane.Shared shared =
        new SenderLane.Shared(
            queue,
            new Preparation(
                new JobCodec(config.limits()),
                new MessageBuilder(session, clock),
                clock,
                relays::serves,
                relays.pools(),
                suppressions),
            relays,
            new DomainGate(config.domainConcurrency()),
            config.failures().classifier(),
            outcomes,
            config.failures().freshConnectionAttempts(),
            suppressions,
            guard,
            health.holds(),
            health::onLaneLost,
            clock);
    for (int i = 0; i < config.lanes(); i++) {
      lanes.add(new SenderLane("lane-" + i, shared));
    }
    this.consumeLoop =
        new ConsumeLoop(
            new KafkaConsumer<>(
                KafkaClients.consumer(config),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer()),
            config.consumedTopics(),
            Set.copyOf(config.failures().ladder().topics(config.topic())),
            queue,
            finished,
            health.holds()::held,
            config.commitInterval(),
            config.drainTimeout(),
            clock);
    consumeLoop.onShare(relays::share);
    KafkaContact contact =
        new KafkaContact(config.kafkaWatch().lostAfter(), Ticker.SYSTEM, clock, health::onKafka);
    consumeLoop.watchContact(contact);
    health.holds().watchKafkaSilence(contact::sinceContact);
    if (config.ledgerOn()) {
      int ledgerPartitions = ledgerPartitions(producer, config.ledgerTopic());
      this.ledgerProducer =
          new KafkaProducer<>(
              KafkaClients.ledgerProducer(config),
              new ByteArraySerializer(),
              new ByteArraySerializer());
      outcomes.useLedger(
          config.ledgerTopic(),
          ledgerPartitions,
          new DurableSender(ledgerProducer, acks, scheduler));
      this.ledgerReader =
          new LedgerReader(
              new KafkaConsumer<>(
                  KafkaClients.ledgerReader(config),
                  new ByteArrayDeserializer(),
                  new ByteArrayDeserializer()),
              config.ledgerTopic(),
              ledgerPartitions);
      consumeLoop.useLedger(
          new LedgerIndex(ledgerReader, config.ledgerWindow(), clock),
          stats::ledgerSkipped,
          outcomes::rewriteDelivered,
          scheduler);
    } else {
      this.ledgerReader = null;
      this.ledgerProducer = null;
    }
    this.consumerThread = new Thread(this::runConsumer, "postbus-consumer");
    this.metrics = new WorkerMetrics(config, stats, queue, consumeLoop, relays, health::state);
    metrics.reputation(suppressions, guard);
    metrics.kafka(health::kafkaReachable);
    metrics.lanesLost(health::lanesLost);
  }

  /** Creates missing topics (when allowed), then starts consuming and delivering. */
  public static Worker start(WorkerConfig config) {
    return start(config, Clock.systemUTC());
  }

  public static Worker start(WorkerConfig config, Clock clock) {
    log.info("starting worker {}", config);
    AtomicReference<Worker> created = new AtomicReference<>();
    StartupWait kafka =
        new StartupWait(
            config.bootstrapServers(),
            config.kafkaWatch().startupTimeout(),
            clock,
            d -> Thread.sleep(d.toMillis()),
            d -> KafkaProbe.problem(KafkaClients.admin(config), d),
            log::warn);
    OpsServer ops =
        OpsServer.start(
            config.httpPort(),
            () ->
                created.get() == null
                    ? new OpsServer.Status(
                        WorkerState.STARTING,
                        kafka.waiting() == null ? "starting" : kafka.waiting())
                    : created.get().status(),
            () -> created.get() == null ? "" : created.get().metrics.scrape(),
            () -> created.get() == null ? ResumeAnswer.NOT_HELD : created.get().resume(),
            AdminToken.of(config.adminTokenFile()));
    Worker worker;
    try {
      try {
        kafka.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KafkaUnavailableException("interrupted while waiting for Kafka");
      }
      if (config.topics().autoCreate()) {
        try (Admin admin = Admin.create(KafkaClients.admin(config))) {
          TopicProvisioner.ensure(
              admin,
              config.allTopics(),
              config.topics().partitions(),
              config.topics().replication(),
              config.topicConfigs());
        }
      }
      worker = new Worker(config, clock);
      worker.loadSuppressions();
    } catch (RuntimeException e) {
      ops.close();
      throw e;
    }
    worker.ops = ops;
    created.set(worker);
    for (int i = 0; i < worker.lanes.size(); i++) {
      Thread t = new Thread(worker.lanes.get(i), "postbus-lane-" + i);
      t.setDaemon(true);
      worker.laneThreads.add(t);
      t.start();
    }
    worker.consumerThread.start();
    worker.health.moveTo(WorkerState.RUNNING);
    worker.health.reconsiderPause(); // a guard tripped before this start holds it at once
    log.info(
        "worker {} running: {} connections to {}, topic {}, group {}",
        config.workerId(),
        config.lanes(),
        config.severalRelays()
            ? config.relayMode() + " " + config.relays()
            : config.relays().get(0).smtp().host() + ":" + config.relays().get(0).smtp().port(),
        config.topic(),
        config.group());
    return worker;
  }

  /**
   * Reads the whole suppression list before the first send, then follows it: an address one worker
   * suppresses is skipped by every other within about a second.
   */
  private void loadSuppressions() {
    long started = System.nanoTime();
    try {
      suppressionReader =
          SuppressionReader.load(
              KafkaClients.suppressionReader(config),
              config.suppressionsTopic(),
              SUPPRESSIONS_LOAD_TIMEOUT,
              suppressions);
    } catch (RuntimeException e) {
      closeClients();
      throw e;
    }
    suppressionReader.follow();
    log.info(
        "suppression list {}: {} addresses read in {} ms",
        config.suppressionsTopic(),
        suppressions.size(),
        (System.nanoTime() - started) / 1_000_000);
  }

  /** Closes what the constructor opened, when start-up fails after it. */
  private void closeClients() {
    consumeLoop.closeConsumer();
    if (ledgerReader != null) {
      ledgerReader.close();
    }
    producer.close(Duration.ZERO);
    if (ledgerProducer != null) {
      ledgerProducer.close(Duration.ZERO);
    }
    scheduler.shutdownNow();
    acks.shutdownNow();
  }

  public WorkerState state() {
    return health.state();
  }

  /** What the health probes report. */
  public OpsServer.Status status() {
    return health.status();
  }

  /**
   * Lets delivery go on after the bounce-rate guard paused it (the whole group, with a fresh
   * window), once Kafka has the resume; the answer says when the guard was not holding it or Kafka
   * did not take the resume.
   */
  public ResumeAnswer resume() {
    return health.resume();
  }

  /** The port of the health endpoints. */
  public int httpPort() {
    return ops.port();
  }

  public WorkerStats stats() {
    return stats;
  }

  /** The suppression list as this worker holds it, and its counters. */
  public Suppressions suppressions() {
    return suppressions;
  }

  /** Partitions of the jobs topic this worker owns now. */
  public int ownedPartitions() {
    return consumeLoop.ownedPartitions();
  }

  public WorkerConfig config() {
    return config;
  }

  /** Blocks until the worker has stopped (after {@link #close} or a fatal error). */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Drains and stops. Idempotent; returns once stopped. */
  @Override
  public void close() {
    if (!health.beginDrain()) {
      try {
        stopped.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    log.info("worker {} draining (up to {})", config.workerId(), config.drainTimeout());
    consumeLoop.requestStop();
    join(consumerThread, config.drainTimeout().plus(CONSUMER_STOP_MARGIN));
    if (ledgerReader != null) {
      ledgerReader.close();
    }
    if (suppressionReader != null) {
      suppressionReader.close();
    }
    lanes.forEach(SenderLane::stop);
    Duration longestReply =
        config.relays().stream()
            .map(r -> r.smtp().readTimeout())
            .max(Duration::compareTo)
            .orElseThrow();
    laneThreads.forEach(t -> join(t, longestReply.plus(LANE_STOP_MARGIN)));
    relays.closeAll();
    producer.close(PRODUCER_CLOSE_TIMEOUT);
    if (ledgerProducer != null) {
      ledgerProducer.close(PRODUCER_CLOSE_TIMEOUT);
    }
    scheduler.shutdownNow();
    acks.shutdownNow();
    health.moveTo(WorkerState.STOPPED);
    if (ops != null) {
      ops.close();
    }
    log.info("worker {} stopped: {}", config.workerId(), stats.snapshot());
    stopped.countDown(); // last: whoever waits for the stop (the worker command, then exit) sees it
    // logged
  }

  private void runConsumer() {
    try {
      consumeLoop.run();
    } catch (RuntimeException e) {
      log.error("consumer thread failed; stopping the worker", e);
      Thread closer = new Thread(this::close, "postbus-stop");
      closer.start();
    }
  }

  private static void join(Thread t, Duration timeout) {
    try {
      t.join(timeout.toMillis());
      if (t.isAlive()) {
        log.warn("{} did not stop within {}", t.getName(), timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static int ledgerPartitions(KafkaProducer<byte[], byte[]> producer, String topic) {
    try {
      return producer.partitionsFor(topic).size();
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "the send ledger topic "
              + topic
              + " is not available ("
              + e.getMessage()
              + "); create it with `postbus topics create`, or set ledger.enabled=false",
          e);
    }
  }
}
