package dev.postbus.worker.lifecycle;

import dev.postbus.smtp.TraceOnly;
import dev.postbus.suppression.SuppressionReader;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.ops.OpsServer;
import dev.postbus.worker.ops.ResumeAnswer;
import dev.postbus.worker.ops.WorkerStats;
import dev.postbus.worker.reputation.Suppressions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Postbus worker: one consumer thread, K sender lanes with one SMTP connection each, and one
 * producer for retry records, dead letters and outcome events. {@link #start} returns a running
 * worker ({@link Startup}); {@link #close} drains it ({@link Drain}: in-flight sends finish,
 * offsets are committed, connections say QUIT, the consumer leaves the group). Its parts are built
 * by {@link WorkerParts}; its health and every hold of delivery go through {@link WorkerHealth}.
 */
public final class Worker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  private final WorkerParts parts;
  private final OpsServer ops;
  private final SuppressionReader suppressionReader;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final List<Thread> laneThreads = new ArrayList<>();
  private final Thread consumerThread;

  /** What stopped the worker by itself; null while it runs, and after a requested stop. */
  private volatile String failure;

  Worker(WorkerParts parts, OpsServer ops, SuppressionReader suppressionReader) {
    this.parts = parts;
    this.ops = ops;
    this.suppressionReader = suppressionReader;
    this.consumerThread = WorkerThreads.thread(this::runConsumer, "postbus-consumer");
    parts.health.whenLost(this::failLater);
  }

  /** Creates missing topics (when allowed), then starts consuming and delivering. */
  public static Worker start(WorkerConfig config) {
    return start(config, Clock.systemUTC());
  }

  public static Worker start(WorkerConfig config, Clock clock) {
    return Startup.run(config, clock);
  }

  WorkerParts parts() {
    return parts;
  }

  /** Starts the lanes, then the consumer. */
  void startThreads() {
    if (parts.ledger.writer() != null) {
      parts.ledger.writer().start();
    }
    for (int i = 0; i < parts.lanes.size(); i++) {
      Thread t = WorkerThreads.daemon(parts.lanes.get(i), "postbus-lane-" + i);
      laneThreads.add(t);
      t.start();
    }
    consumerThread.start();
    parts.prober.start(r -> WorkerThreads.daemon(r, "postbus-relay-prober"));
    if (parts.feedbackReports != null) {
      parts.feedbackReports.start();
    }
  }

  public WorkerState state() {
    return parts.health.state();
  }

  /** What the health probes report. */
  public OpsServer.Status status() {
    return parts.health.status();
  }

  /**
   * Lets delivery go on after the bounce-rate guard paused it (the whole group, with a fresh
   * window), once Kafka has the resume; the answer says when the guard was not holding it or Kafka
   * did not take the resume.
   */
  public ResumeAnswer resume() {
    return parts.health.resume();
  }

  /** The port of the health endpoints. */
  public int httpPort() {
    return ops.port();
  }

  public WorkerStats stats() {
    return parts.stats;
  }

  /** The suppression list as this worker holds it, and its counters. */
  public Suppressions suppressions() {
    return parts.suppressions;
  }

  /** Partitions of the jobs topic this worker owns now. */
  public int ownedPartitions() {
    return parts.consumeLoop.ownedPartitions();
  }

  public WorkerConfig config() {
    return parts.config;
  }

  /** Blocks until the worker has stopped (after {@link #close} or a fatal error). */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Once stopped: what failed when the worker stopped by itself (its consumer thread ended by an
   * error, a sender lane or the send ledger's writer was lost); null when it was asked to stop
   * ({@link #close}: SIGTERM, SIGINT, the embedding code). The first stop decides: a failure during
   * a requested drain does not make it failed.
   */
  public String failure() {
    return failure;
  }

  /** Drains and stops, as asked. Idempotent; returns once stopped. */
  @Override
  public void close() {
    stop(null);
  }

  /** Drains and stops after {@code what} failed (see {@link #failure}). */
  void fail(String what) {
    stop(what);
  }

  private void stop(String what) {
    if (!parts.health.beginDrain()) {
      try {
        stopped.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    failure = what; // before the countdown below, which publishes it
    try {
      Drain.run(parts, consumerThread, laneThreads, suppressionReader, ops);
    } finally {
      parts.health.stopped(); // whatever a drain step threw: never left draining
      stopped.countDown(); // last: whoever waits for the stop (the worker command, then exit) sees
      // it
    }
  }

  private void runConsumer() {
    runConsumer(parts.consumeLoop, this::failLater);
  }

  /** Stops the worker as failed, on a thread of its own (the caller may be one the drain joins). */
  private void failLater(String what) {
    WorkerThreads.thread(() -> fail(what), "postbus-stop").start();
  }

  /**
   * Runs the consume loop; should it fail, says so and hands {@code stop} what failed (the error's
   * class, never its message). An Error (an OutOfMemoryError on a fetch, one thrown by a configured
   * interceptor) stops the worker as an exception does and is not thrown again: the consumer thread
   * ends here either way, and the stop is what makes the failure seen (not ready, not live, the
   * worker command exits); thrown again it would only be logged a second time.
   */
  static void runConsumer(Runnable loop, Consumer<String> stop) {
    try {
      loop.run();
    } catch (RuntimeException | Error e) {
      log.error(
          "consumer thread failed; stopping the worker",
          TraceOnly.of(e)); // its message can quote a record's payload
      stop.accept("the consumer thread failed (" + e.getClass().getName() + ")");
    }
  }
}
