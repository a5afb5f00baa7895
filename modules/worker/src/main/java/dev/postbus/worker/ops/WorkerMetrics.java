package dev.postbus.worker.ops;

import dev.postbus.smtp.ConnectionState;
import dev.postbus.suppression.Source;
import dev.postbus.worker.config.ValueType;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.consume.ConsumeLoop;
import dev.postbus.worker.dispatch.DispatchQueue;
import dev.postbus.worker.relay.ConnectionPool;
import dev.postbus.worker.relay.Relay;
import dev.postbus.worker.relay.Relays;
import dev.postbus.worker.reputation.BounceGuard;
import dev.postbus.worker.reputation.FeedbackReports;
import dev.postbus.worker.reputation.Suppressions;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.TopicPartition;

/**
 * The worker's metrics in Prometheus form ({@code postbus_} prefix, base units, {@code _total}
 * counters), read from the worker's own counters and state when scraped, so the hot path pays
 * nothing extra.
 */
public final class WorkerMetrics {

  private static final List<String> DEAD_LETTER_CLASSES =
      List.of("permanent", "transient", "poison", "expired", "suppressed", "conflict");

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<TopicPartition, Long> lag = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Gauge> lagGauges = new ConcurrentHashMap<>();
  private final String jobsTopic;
  private final ClassStats classes;

  public WorkerMetrics(
      WorkerConfig config,
      WorkerStats stats,
      DispatchQueue queue,
      ConsumeLoop loop,
      Relays relays,
      java.util.function.BooleanSupplier ready) {
    registry.config().commonTags("worker", config.workerId());
    jobs(stats, "delivered", s -> s.snapshot().delivered());
    jobs(stats, "deferred", s -> s.snapshot().retried());
    jobs(stats, "dead-lettered", s -> s.snapshot().deadLettered());
    for (String c : DEAD_LETTER_CLASSES) {
      LongAdder counter = stats.deadLettersByClass().computeIfAbsent(c, k -> new LongAdder());
      FunctionCounter.builder("postbus.dead.letters", counter, LongAdder::sum)
          .tag("class", c)
          .description("Jobs dead-lettered, by failure class")
          .register(registry);
    }
    var ladder = config.failures().ladder();
    for (int i = 0; i < ladder.delays().size(); i++) {
      LongAdder counter =
          stats
              .retriesByTier()
              .computeIfAbsent(ladder.topic(config.topic(), i), k -> new LongAdder());
      FunctionCounter.builder("postbus.retries", counter, LongAdder::sum)
          .tag("tier", ValueType.format(ladder.delays().get(i)))
          .description("Jobs sent to a tier of the retry ladder")
          .register(registry);
    }
    FunctionCounter.builder("postbus.in.doubt", stats, s -> s.snapshot().inDoubt())
        .description("Sends whose connection was lost after the final dot")
        .register(registry);
    FunctionCounter.builder("postbus.verp.skipped", stats, WorkerStats::verpSkips)
        .description(
            "Jobs sent to a plain MTA with their from address because their VERP return path would"
                + " exceed RFC 5321's limits")
        .register(registry);
    FunctionCounter.builder("postbus.ledger.skips", stats, WorkerStats::ledgerSkips)
        .description(
            "Redelivered jobs not sent again because the send ledger holds them as finished")
        .register(registry);
    FunctionCounter.builder("postbus.duplicates", stats, WorkerStats::duplicates)
        .description(
            "Records not sent because their job id finished within dedupe.window with the same"
                + " content (idempotent publishing; a duplicate event each)")
        .register(registry);
    FunctionCounter.builder("postbus.ledger.retries", stats, WorkerStats::ledgerRetries)
        .description(
            "Sends of send-ledger entries that failed and are tried again (a broker moving, Kafka"
                + " unreachable); their lanes wait before the next final dot")
        .register(registry);
    FunctionCounter.builder(
            "postbus.smtp.connection.failures", stats, s -> s.snapshot().connectionFailures())
        .description(
            "Send attempts that failed for the connection, not the message: could not connect, connection "
                + "lost, in doubt, or the relay refused us (TLS, AUTH)")
        .register(registry);
    for (Relay relay : relays.all()) {
      ConnectionPool pool = relay.connections();
      Tags tag = Tags.of("relay", relay.name());
      FunctionCounter.builder("postbus.smtp.connection.opens", pool, ConnectionPool::opens)
          .tags(tag)
          .description("SMTP connections opened (first opens, reconnects and recycling)")
          .register(registry);
      Gauge.builder(
              "postbus.smtp.connections",
              pool,
              p -> p.count(ConnectionState.IDLE) + p.count(ConnectionState.SENDING))
          .tags(tag)
          .tag("state", "open")
          .description("SMTP connections of this worker")
          .register(registry);
      Gauge.builder("postbus.smtp.connections", pool, p -> p.count(ConnectionState.SENDING))
          .tags(tag)
          .tag("state", "busy")
          .description("SMTP connections of this worker")
          .register(registry);
      Gauge.builder("postbus.smtp.connections", pool, p -> p.count(ConnectionState.IDLE))
          .tags(tag)
          .tag("state", "idle")
          .description("SMTP connections of this worker")
          .register(registry);
      Gauge.builder("postbus.smtp.connection.limit", pool, ConnectionPool::limit)
          .tags(tag)
          .description(
              "Connections this worker may open to the relay now (its share of a group maximum)")
          .register(registry);
      Gauge.builder("postbus.relay.up", relay, r -> r.up() ? 1 : 0)
          .tags(tag)
          .description(
              "1 while jobs may go to the relay, 0 while it is out after a relay-level failure")
          .register(registry);
      FunctionCounter.builder("postbus.relay.delivered", relay, Relay::deliveredCount)
          .tags(tag)
          .description("Messages the relay accepted")
          .register(registry);
      Gauge.builder(
              "postbus.send.rate.limit", relay.rate(), dev.postbus.worker.relay.SendRate::rate)
          .tags(tag)
          .baseUnit("messages.per.second")
          .description("This worker's current send rate limit (+Inf: none)")
          .register(registry);
    }
    Gauge.builder("postbus.dispatch.queue.depth", queue, DispatchQueue::size)
        .description("Jobs waiting for a sender lane")
        .register(registry);
    Gauge.builder("postbus.partitions.paused", loop, ConsumeLoop::pausedPartitions)
        .description(
            "Partitions paused for backpressure, a relay problem, a retry tier or an unread send"
                + " ledger")
        .register(registry);
    Gauge.builder("postbus.ledger.unread.partitions", loop, ConsumeLoop::ledgerUnreadPartitions)
        .description(
            "Partitions taken over whose send ledger could not be read: nothing is sent from them"
                + " (paused) until it is, read again every 10 s")
        .register(registry);
    Gauge.builder("postbus.assignment.last", loop, l -> l.lastAssignment().toNanos() / 1e9)
        .baseUnit("seconds")
        .description(
            "How long the rebalance work of the last poll that moved partitions took (the"
                + " release's drain and commit, the assignment's takeover reads); half of"
                + " max.poll.interval.ms or more is logged as a warning")
        .register(registry);
    // Micrometer holds a gauge's object weakly: the supplier lives nowhere else, so hold it
    // strongly.
    Gauge.builder("postbus.ready", ready, r -> r.getAsBoolean() ? 1 : 0)
        .strongReference(true)
        .description("1 while the worker is RUNNING")
        .register(registry);
    FunctionCounter.builder("postbus.rate.limiter.wait", relays, Relays::waitedSeconds)
        .baseUnit("seconds")
        .description("Time sender lanes waited for the send rate limit")
        .register(registry);
    if (relays.total() != null) {
      Gauge.builder(
              "postbus.send.rate.limit", relays.total(), dev.postbus.worker.relay.SendRate::rate)
          .tag("relay", "(all)")
          .baseUnit("messages.per.second")
          .description("This worker's current send rate limit (+Inf: none)")
          .register(registry);
    }
    stats.bindTimers(registry);
    stats.classes().register(registry, queue::size);
    this.jobsTopic = config.topic();
    this.classes = stats.classes();
    loop.onLag(this::updateLag);
  }

  private void jobs(
      WorkerStats stats, String outcome, java.util.function.ToDoubleFunction<WorkerStats> f) {
    FunctionCounter.builder("postbus.jobs", stats, f)
        .tag("outcome", outcome)
        .description("Jobs by outcome")
        .register(registry);
  }

  /** Called on the consumer thread with the lag of every owned partition. */
  private void updateLag(Map<TopicPartition, Long> current) {
    classes.lag(current, jobsTopic);
    lag.putAll(current);
    for (TopicPartition tp : current.keySet()) {
      lagGauges.computeIfAbsent(
          tp,
          k ->
              Gauge.builder("postbus.consumer.lag", lag, m -> m.getOrDefault(k, 0L))
                  .tags(Tags.of("topic", k.topic(), "partition", Integer.toString(k.partition())))
                  .description("Records of the partition not yet consumed")
                  .register(registry));
    }
    for (TopicPartition tp : List.copyOf(lagGauges.keySet())) {
      if (!current.containsKey(tp)) {
        registry.remove(lagGauges.remove(tp));
        lag.remove(tp);
      }
    }
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  /** 1 while the worker is in touch with Kafka. */
  public void lanesLost(java.util.function.IntSupplier lost) {
    Gauge.builder("postbus.lanes.lost", lost, l -> l.getAsInt())
        .strongReference(true)
        .description(
            "Sender lanes stopped by an unexpected error (the worker is not ready; restart it)")
        .register(registry);
  }

  public void kafka(java.util.function.BooleanSupplier reachable) {
    Gauge.builder("postbus.kafka.reachable", reachable, r -> r.getAsBoolean() ? 1 : 0)
        .strongReference(true)
        .description(
            "1 while the worker is in touch with Kafka, 0 after worker.kafka-lost-after without a fetch,"
                + " commit or heartbeat")
        .register(registry);
  }

  /**
   * {@code postbus_guard_feedback_reader_up}: 0 while the reader of {@code <topic>.feedback} cannot
   * read (the guard counts no report meanwhile).
   */
  public void feedbackReader(FeedbackReports reports) {
    feedbackReader(registry, reports);
  }

  /** The meters of {@link #feedbackReader(FeedbackReports)}, on {@code registry}. */
  public static void feedbackReader(MeterRegistry registry, FeedbackReports reports) {
    Gauge.builder("postbus.guard.feedback.reader.up", reports, r -> r.up() ? 1 : 0)
        .strongReference(true)
        .description(
            "0 while the worker cannot read <topic>.feedback: the bounce-rate guard counts no"
                + " report meanwhile (delivery goes on)")
        .register(registry);
    FunctionCounter.builder(
            "postbus.guard.feedback.reader.errors", reports, FeedbackReports::errors)
        .description(
            "Records of <topic>.feedback the worker's reader failed on and skipped, plus an error"
                + " that stopped it (see the log)")
        .register(registry);
  }

  /** The suppression list and the bounce-rate guard. */
  public void reputation(Suppressions suppressions, BounceGuard guard) {
    for (Source source : Source.values()) {
      FunctionCounter.builder(
              "postbus.suppressed.recipients", suppressions, x -> x.suppressed(source))
          .tag("source", source.label())
          .description(
              "Recipients taken out of jobs because they are on the suppression list, by the source of"
                  + " the entry")
          .register(registry);
    }
    Gauge.builder("postbus.suppression.list.size", suppressions, Suppressions::size)
        .description("Addresses on the suppression list, as this worker holds it")
        .register(registry);
    FunctionCounter.builder("postbus.suppression.bounces.added", suppressions, Suppressions::added)
        .description("Recipients this worker put on the suppression list after a permanent refusal")
        .register(registry);
    FunctionCounter.builder(
            "postbus.suppression.malformed.records", suppressions, Suppressions::malformedRecords)
        .description("Records on the suppressions topic that are not suppressions (skipped)")
        .register(registry);
    Gauge.builder("postbus.guard.tripped", guard, g -> g.tripped() == null ? 0 : 1)
        .description("1 while the bounce-rate guard holds delivery")
        .register(registry);
    Gauge.builder("postbus.guard.bounce.rate", guard, BounceGuard::currentRate)
        .description("Share of the guard's window of recent recipients refused permanently")
        .register(registry);
    for (String cause : new String[] {"bounces", "complaints"}) {
      Gauge.builder("postbus.guard.tripped.by", guard, g -> cause.equals(g.trippedBy()) ? 1 : 0)
          .tag("cause", cause)
          .description("1 while the guard holds delivery for this cause (bounces or complaints)")
          .register(registry);
    }
    Gauge.builder("postbus.guard.complaint.rate", guard, BounceGuard::complaintRate)
        .description(
            "Share of the recipients sent within guard.feedback-window that complained (reported"
                + " later on the feedback topic)")
        .register(registry);
    Gauge.builder("postbus.guard.feedback.bounce.rate", guard, BounceGuard::feedbackBounceRate)
        .description(
            "Share of the recipients sent within guard.feedback-window that bounced, refused at once"
                + " or reported later")
        .register(registry);
    FunctionCounter.builder("postbus.guard.feedback.dropped", guard, BounceGuard::feedbackDropped)
        .description(
            "Recipients the feedback guard dropped before guard.feedback-window ended because it"
                + " held guard.feedback-max-recipients")
        .register(registry);
  }
}
