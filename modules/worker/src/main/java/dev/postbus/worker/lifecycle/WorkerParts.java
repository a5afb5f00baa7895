package dev.postbus.worker.lifecycle;

import dev.postbus.job.JobCodec;
import dev.postbus.smtp.SmtpConnection;
import dev.postbus.suppression.SuppressionSet;
import dev.postbus.suppression.SuppressionWriter;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.consume.ConsumeLoop;
import dev.postbus.worker.consume.KafkaContact;
import dev.postbus.worker.consume.LoopTimes;
import dev.postbus.worker.dedupe.Dedupe;
import dev.postbus.worker.dedupe.DedupeLoader;
import dev.postbus.worker.delivery.DedupeGate;
import dev.postbus.worker.delivery.DomainGate;
import dev.postbus.worker.delivery.MessageBuilder;
import dev.postbus.worker.delivery.Preparation;
import dev.postbus.worker.delivery.SenderLane;
import dev.postbus.worker.dispatch.ClassPick;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.DispatchQueue;
import dev.postbus.worker.ledger.LedgerIndex;
import dev.postbus.worker.ledger.LedgerPositions;
import dev.postbus.worker.ledger.LedgerReader;
import dev.postbus.worker.ledger.LedgerWriter;
import dev.postbus.worker.ops.WorkerMetrics;
import dev.postbus.worker.ops.WorkerStats;
import dev.postbus.worker.outcome.DurableSender;
import dev.postbus.worker.outcome.Outcomes;
import dev.postbus.worker.relay.RelayProber;
import dev.postbus.worker.relay.Relays;
import dev.postbus.worker.relay.SendRate;
import dev.postbus.worker.reputation.BounceGuard;
import dev.postbus.worker.reputation.FeedbackReports;
import dev.postbus.worker.reputation.FeedbackWindow;
import dev.postbus.worker.reputation.Suppressions;
import dev.postbus.worker.time.Ticker;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The assembly: builds a worker's components and wires them (every hold through {@link
 * WorkerHealth}), without starting a thread. One consumer loop, K sender lanes, a producer for
 * retry records, dead letters and events, and the send ledger's own producer and reader.
 */
final class WorkerParts {

  final WorkerConfig config;
  final Clock clock;
  final WorkerHealth health;
  final WorkerStats stats = new WorkerStats();
  final BlockingQueue<Delivery> finished = new LinkedBlockingQueue<>();
  final KafkaProducer<byte[], byte[]> producer;

  /**
   * Resends after a failed write (they may block in send), and the events a ledger skip rewrites.
   */
  final ScheduledExecutorService scheduler;

  /** Runs what the producers' acknowledgements lead to, apart from the resends. */
  final ExecutorService acks;

  final Relays relays;

  /** Probes a relay that is out when no lane holding a job does. */
  final RelayProber prober;

  final Suppressions suppressions;
  final BounceGuard guard;

  /**
   * The guard's reader of the bounces and complaints reported later; null when the guard is off.
   */
  final FeedbackReports feedbackReports;

  final List<SenderLane> lanes = new ArrayList<>();
  final ConsumeLoop consumeLoop;
  final LedgerParts ledger;
  final WorkerMetrics metrics;

  /** What the constructor opened, closed by {@link #closeClients} when start-up fails. */
  private final Opened opened = new Opened();

  /** The send ledger's producer, its writer and reader; all null when the ledger is off. */
  record LedgerParts(
      KafkaProducer<byte[], byte[]> producer, LedgerWriter writer, LedgerReader reader) {}

  /**
   * Builds every part; when one fails, what was opened before it is closed (each once) and the
   * failure thrown.
   */
  WorkerParts(WorkerConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.health = new WorkerHealth(config, clock);
    try {
      this.producer = producer(KafkaClients.producer(config), "the producer");
      this.scheduler =
          executor(
              Executors.newSingleThreadScheduledExecutor(
                  r -> WorkerThreads.daemon(r, "postbus-resend")),
              "postbus-resend");
      this.acks =
          executor(
              Executors.newSingleThreadExecutor(r -> WorkerThreads.daemon(r, "postbus-acks")),
              "postbus-acks");
      DispatchQueue queue =
          new DispatchQueue(
              config.queueCapacity(), config.queueBytes(), config.maxPollRecords(), classPick());
      Outcomes outcomes = outcomes();
      this.relays = relays();
      relays.expectPartitions(config.expectedPartitions()); // bounded until the first share
      this.prober =
          new RelayProber(relays, clock, RelayProber.SESSION, config.failures().classifier());
      this.suppressions = suppressions();
      this.guard = guard(config, clock, health);
      this.feedbackReports = config.reputation().feedbackGuardOn() ? feedbackReports() : null;
      suppressions.onGroupGuard(health::onGroupGuard);
      health.watch(
          relays, guard, suppressions, feedbackReports == null ? null : feedbackReports::health);
      int ledgerPartitions =
          config.ledgerOn() ? ledgerPartitions(producer, config.ledgerTopic()) : 0;
      Dedupe dedupe =
          config.dedupeOn() ? new Dedupe(config.dedupeWindow(), clock, ledgerPartitions) : null;
      addLanes(queue, outcomes, dedupe);
      this.consumeLoop = consumeLoop(queue);
      this.ledger =
          config.ledgerOn()
              ? ledger(outcomes, ledgerPartitions, dedupe)
              : new LedgerParts(null, null, null);
      this.metrics = metrics(queue);
    } catch (RuntimeException | Error e) {
      opened.closeAll();
      throw e;
    }
  }

  /** How lanes choose between the job classes; null when they are off (one FIFO queue). */
  private ClassPick classPick() {
    var c = config.classes();
    return c.on() ? new ClassPick(config.lanes(), c.transactionalLanes(), c.bulkFloor()) : null;
  }

  private FeedbackReports feedbackReports() {
    FeedbackReports r =
        new FeedbackReports(KafkaClients.feedbackReader(config), config.feedbackTopic(), guard);
    return opened.add("the feedback reader", r, r::close);
  }

  private static BounceGuard guard(WorkerConfig config, Clock clock, WorkerHealth health) {
    var r = config.reputation();
    FeedbackWindow feedback =
        r.feedbackGuardOn()
            ? new FeedbackWindow(
                r.guardFeedbackWindow(),
                r.guardWindow(),
                r.guardMaxBounceRate(),
                r.guardMaxComplaintRate(),
                r.guardFeedbackMaxRecipients(),
                clock)
            : null;
    return new BounceGuard(r.guardWindow(), r.guardMaxBounceRate(), feedback, health::onGuardTrip);
  }

  private KafkaProducer<byte[], byte[]> producer(Map<String, Object> settings, String name) {
    KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer());
    return opened.add(name, p, () -> p.close(Duration.ZERO));
  }

  private <T extends ExecutorService> T executor(T executor, String name) {
    return opened.add(name, executor, executor::shutdownNow);
  }

  private Outcomes outcomes() {
    return new Outcomes(
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
  }

  private Relays relays() {
    double bulkFloor = config.classes().bulkFloor();
    SendRate total =
        config.severalRelays() && (config.rateLimit() > 0 || config.rateLimitGlobal() > 0)
            ? new SendRate(config.rateLimit(), config.rateLimitGlobal(), bulkFloor)
            : null;
    return new Relays(
        config.relays(),
        config.relayMode(),
        total,
        IntervalFunction.ofExponentialRandomBackoff(
            config.reconnectBackoff(), 2.0, 0.5, config.reconnectBackoffMax()),
        clock,
        health::onRelayChange,
        bulkFloor);
  }

  private Suppressions suppressions() {
    return new Suppressions(
        new SuppressionSet(),
        config.reputation().suppressionCodes(),
        new SuppressionWriter(producer, config.suppressionsTopic()),
        scheduler,
        clock);
  }

  private void addLanes(DispatchQueue queue, Outcomes outcomes, Dedupe dedupe) {
    SenderLane.Shared shared =
        new SenderLane.Shared(
            queue,
            new Preparation(
                new JobCodec(config.limits()),
                new MessageBuilder(
                    SmtpConnection.sessionFor(config.relays().get(0).smtp()),
                    clock,
                    config.returnPath(),
                    config.unsubscribe()),
                clock,
                relays::serves,
                relays.pools(),
                suppressions),
            relays,
            new DomainGate(config.domainConcurrency(), config.classes().bulkFloor()),
            config.failures().classifier(),
            outcomes,
            config.failures().freshConnectionAttempts(),
            suppressions,
            guard,
            health.holds(),
            health::onLaneLost,
            clock,
            dedupe == null ? DedupeGate.OFF : new DedupeGate(dedupe, tierTopics()));
    for (int i = 0; i < config.lanes(); i++) {
      lanes.add(new SenderLane("lane-" + i, shared));
    }
  }

  private ConsumeLoop consumeLoop(DispatchQueue queue) {
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            KafkaClients.consumer(config),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    opened.add("the consumer", consumer, () -> consumer.close(Duration.ZERO));
    ConsumeLoop loop =
        new ConsumeLoop(
            consumer,
            config.consumedTopics(),
            tierTopics(),
            queue,
            finished,
            health.holds()::held,
            new LoopTimes(config.commitInterval(), config.drainTimeout(), config.maxPollInterval()),
            clock);
    loop.onShare(relays::share);
    loop.classify(config.topic());
    if (config.classes().on()) {
      // while transactional jobs wait, as many bulk jobs stay queued as bulk lanes, for its floor
      int reserve = config.classes().bulkFloor() > 0 ? queue.bulkLanes() : 0;
      loop.useClasses(config.topic(), reserve);
    }
    KafkaContact contact =
        new KafkaContact(config.kafkaWatch().lostAfter(), Ticker.SYSTEM, clock, health::onKafka);
    loop.watchContact(contact);
    health.holds().watchKafkaSilence(contact::sinceContact);
    return loop;
  }

  private Set<String> tierTopics() {
    return Set.copyOf(config.failures().ladder().topics(config.topic()));
  }

  private LedgerParts ledger(Outcomes outcomes, int partitions, Dedupe dedupe) {
    KafkaProducer<byte[], byte[]> ledgerProducer =
        producer(KafkaClients.ledgerProducer(config), "the ledger's producer");
    LedgerPositions positions = new LedgerPositions(partitions);
    LedgerWriter writer = new LedgerWriter(ledgerProducer, positions, acks, scheduler);
    writer.whenStopped(health::onLedgerLost);
    writer.whenRetried(stats::ledgerRetried);
    opened.add("the ledger's writer", writer, writer::close);
    outcomes.useLedger(config.ledgerTopic(), partitions, config.ledgerFormat(), writer);
    KafkaConsumer<byte[], byte[]> readerConsumer =
        new KafkaConsumer<>(
            KafkaClients.ledgerReader(config),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    opened.add("the ledger's reader", readerConsumer, () -> readerConsumer.close(Duration.ZERO));
    LedgerReader reader = new LedgerReader(readerConsumer, config.ledgerTopic(), partitions);
    consumeLoop.useLedger(
        new LedgerIndex(reader, config.ledgerWindow(), clock, positions),
        stats::ledgerSkipped,
        outcomes::rewriteDelivered,
        scheduler);
    consumeLoop.readHeldWith( // a reader of its own, made and used on a thread of its own
        () -> new LedgerReader(heldReader(), config.ledgerTopic(), partitions));
    if (dedupe != null) {
      consumeLoop.useDedupe(new DedupeLoader(reader, dedupe, clock));
    }
    return new LedgerParts(ledgerProducer, writer, reader);
  }

  /** The consumer of the reads again of held partitions' ledger (closed with its reader). */
  private KafkaConsumer<byte[], byte[]> heldReader() {
    Map<String, Object> p = new java.util.HashMap<>(KafkaClients.ledgerReader(config));
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, config.workerId() + "-ledger-held");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private WorkerMetrics metrics(DispatchQueue queue) {
    WorkerMetrics m =
        new WorkerMetrics(config, stats, queue, consumeLoop, relays, () -> health.state().ready());
    m.reputation(suppressions, guard);
    if (feedbackReports != null) {
      m.feedbackReader(feedbackReports);
    }
    m.kafka(health::kafkaReachable);
    m.lanesLost(health::lanesLost);
    return m;
  }

  /** Closes what the constructor opened, each once, when start-up fails after it. */
  void closeClients() {
    opened.closeAll();
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
