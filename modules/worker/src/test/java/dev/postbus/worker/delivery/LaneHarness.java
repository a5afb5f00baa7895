package dev.postbus.worker.delivery;

import dev.postbus.job.Job;
import dev.postbus.job.JobCodec;
import dev.postbus.smtp.SmtpConnection;
import dev.postbus.suppression.SuppressionSet;
import dev.postbus.suppression.SuppressionWriter;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.dedupe.Dedupe;
import dev.postbus.worker.dedupe.DedupeIndex;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.DispatchQueue;
import dev.postbus.worker.dispatch.Holds;
import dev.postbus.worker.dispatch.PartitionOffsets;
import dev.postbus.worker.outcome.DurableSender;
import dev.postbus.worker.outcome.OutcomeListener;
import dev.postbus.worker.outcome.Outcomes;
import dev.postbus.worker.relay.ClosingRelays;
import dev.postbus.worker.relay.Relays;
import dev.postbus.worker.reputation.BounceGuard;
import dev.postbus.worker.reputation.Suppressions;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sender lanes over a real SMTP server and Kafka's MockProducer (answering at once): what a lane
 * test needs, built the way the worker builds it.
 */
final class LaneHarness implements AutoCloseable {

  static final TopicPartition JOBS = new TopicPartition("jobs", 0);

  /** The first retry tier's partition 0 (ledger partition 0, as {@link #JOBS}). */
  static final TopicPartition TIER = new TopicPartition("jobs.retry.30s", 0);

  final WorkerConfig config;
  final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  final DispatchQueue queue = new DispatchQueue(100, 1 << 24, 100);
  final List<Delivery> finished = new CopyOnWriteArrayList<>();
  final Holds holds = new Holds();
  final List<String> lost = new CopyOnWriteArrayList<>();
  final Relays relays;
  final BounceGuard guard;
  final Suppressions suppressions;
  final SenderLane.Shared shared;
  final PartitionOffsets owner = new PartitionOffsets();

  /** The class of each wait for rate permits recorded. */
  final List<dev.postbus.job.JobClass> permitWaits = new CopyOnWriteArrayList<>();

  /** Idempotent publishing, when {@code extra} sets {@code dedupe.window}; else null (off). */
  final Dedupe dedupe;

  /** When set, counting a delivery throws it (an error of ours after the relay accepted). */
  volatile RuntimeException failOnDelivered;

  /** When set, counting a delivery throws it: an Error no lane handles, it ends the lane. */
  volatile Error errorOnDelivered;

  /**
   * When set, timing the next SMTP send throws it, once: an error of ours after the relay answered
   * (inside the send the lane retries on a fresh connection when the relay asks for one).
   */
  final java.util.concurrent.atomic.AtomicReference<RuntimeException> failOnSmtpSend =
      new java.util.concurrent.atomic.AtomicReference<>();

  /**
   * When set, telling that the relays are back (after one was out) throws it, once: an error of
   * ours in the relay's listener, after the relay answered a probe.
   */
  final java.util.concurrent.atomic.AtomicReference<RuntimeException> failOnRelaysBack =
      new java.util.concurrent.atomic.AtomicReference<>();

  /** When set, counting the next dead letter throws it, once (an error of ours while recording). */
  final java.util.concurrent.atomic.AtomicReference<RuntimeException> failOnDeadLettered =
      new java.util.concurrent.atomic.AtomicReference<>();

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final List<SenderLane> lanes = new CopyOnWriteArrayList<>();
  private final JobCodec codec = new JobCodec();
  private long nextOffset;

  LaneHarness(int smtpPort, Map<String, String> extra, Predicate<String> serves) {
    this(smtpPort, extra, serves, SmtpConnection::disconnect);
  }

  /**
   * @param disconnect how the relays' pools close a surplus connection given back (tests: one that
   *     throws, so the give-back throws)
   */
  LaneHarness(
      int smtpPort,
      Map<String, String> extra,
      Predicate<String> serves,
      java.util.function.Consumer<SmtpConnection> disconnect) {
    Map<String, String> v = new HashMap<>();
    v.put("smtp.host", "127.0.0.1");
    v.put("smtp.port", Integer.toString(smtpPort));
    v.put("smtp.tls", "none");
    v.put("smtp.reconnect-backoff", "100ms");
    v.putAll(extra);
    config = WorkerConfig.from(Settings.of(v));
    Clock clock = Clock.systemUTC();
    dedupe =
        extra.containsKey("dedupe.window") ? new Dedupe(config.dedupeWindow(), clock, 1) : null;
    if (dedupe != null) {
      dedupe.loaded(0, new DedupeIndex(config.dedupeWindow())); // as the takeover builds it
    }
    relays =
        ClosingRelays.of(
            config.relays(),
            config.relayMode(),
            IntervalFunction.of(config.reconnectBackoff()), // 100 ms unless a test sets it
            clock,
            out -> {
              holds.set(Holds.Reason.RELAYS_OUT, relays().allOut());
              RuntimeException e = out ? null : failOnRelaysBack.getAndSet(null);
              if (e != null) {
                throw e;
              }
            },
            config.classes().bulkFloor(), // as WorkerParts builds them
            disconnect);
    suppressions =
        new Suppressions(
            new SuppressionSet(),
            config.reputation().suppressionCodes(),
            new SuppressionWriter(producer, "jobs.suppressions"),
            scheduler,
            clock);
    guard =
        new BounceGuard(
            config.reputation().guardWindow(),
            config.reputation().guardMaxBounceRate(),
            reason -> holds.set(Holds.Reason.BOUNCE_GUARD, true));
    Outcomes outcomes =
        new Outcomes(
            new DurableSender(producer, scheduler),
            "jobs.dlt",
            "jobs.events",
            "w1",
            config.failures().ladder(),
            config.failures().inDoubt(),
            "jobs",
            new OutcomeListener() {
              @Override
              public void delivered(long publishedMillis, long nowMillis) {
                if (failOnDelivered != null) {
                  throw failOnDelivered;
                }
                if (errorOnDelivered != null) {
                  throw errorOnDelivered;
                }
              }

              @Override
              public void deadLettered(String failureClass) {
                RuntimeException e = failOnDeadLettered.getAndSet(null);
                if (e != null) {
                  throw e;
                }
              }

              @Override
              public void retried(String tierTopic) {}

              @Override
              public void inDoubt() {}

              @Override
              public void smtpSend(long nanos) {
                RuntimeException e = failOnSmtpSend.getAndSet(null);
                if (e != null) {
                  throw e;
                }
              }

              @Override
              public void permitWait(dev.postbus.job.JobClass jobClass, long nanos) {
                permitWaits.add(jobClass);
              }

              @Override
              public void connectionFailed() {}
            },
            finished::add,
            clock);
    shared =
        new SenderLane.Shared(
            queue,
            new Preparation(
                codec,
                new MessageBuilder(
                    SmtpConnection.sessionFor(config.relays().get(0).smtp()),
                    clock,
                    config.returnPath()),
                clock,
                serves,
                "default",
                suppressions),
            relays,
            new DomainGate(config.domainConcurrency(), config.classes().bulkFloor()),
            config.failures().classifier(),
            outcomes,
            config.failures().freshConnectionAttempts(),
            suppressions,
            guard,
            holds,
            lost::add,
            clock,
            dedupe == null
                ? DedupeGate.OFF
                : new DedupeGate(
                    dedupe, java.util.Set.copyOf(config.failures().ladder().topics("jobs"))));
  }

  private Relays relays() {
    return relays;
  }

  /** Queues a job, as the consumer does; returns its delivery. */
  Delivery offer(Job job) {
    return offer(job, new RecordHeaders());
  }

  /** Queues a job with the record headers {@code headers}, as the consumer does. */
  Delivery offer(Job job, Headers headers) {
    return offer(JOBS, job, headers);
  }

  /** Queues a job read from {@code source} with the record headers {@code headers}. */
  Delivery offer(TopicPartition source, Job job, Headers headers) {
    long offset = nextOffset++;
    owner.track(offset);
    Delivery d = new Delivery(source, offset, null, codec.encode(job), headers, 0L, owner);
    queue.add(d);
    return d;
  }

  SenderLane startLane(String name) {
    SenderLane lane = new SenderLane(name, shared);
    Thread t = new Thread(lane, "test-" + name);
    t.setDaemon(true);
    lanes.add(lane);
    threads.add(t);
    t.start();
    return lane;
  }

  Thread thread(int i) {
    return threads.get(i);
  }

  /** The topics of what was written, in order. */
  List<String> topics() {
    return producer.history().stream().map(ProducerRecord::topic).toList();
  }

  @Override
  public void close() throws InterruptedException {
    lanes.forEach(SenderLane::stop);
    for (Thread t : threads) {
      t.join(10_000);
    }
    relays.closeAll();
    scheduler.shutdownNow();
  }
}
