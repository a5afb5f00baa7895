package dev.postbus.worker.lifecycle;

import dev.postbus.smtp.TraceOnly;
import dev.postbus.suppression.SuppressionReader;
import dev.postbus.worker.delivery.SenderLane;
import dev.postbus.worker.ops.OpsServer;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drain and shutdown sequence, in order: the consumer stops (its partitions handed over:
 * in-flight sends awaited, offsets committed, the group left), the readers close, the lanes finish
 * their send and stop, the connections say QUIT, the producers send what they hold, then STOPPED
 * and the health endpoints close. A step that throws is logged and the next one runs: a drain
 * always ends.
 */
final class Drain {

  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  /**
   * Beyond the drain timeout, how long the consumer thread may take to commit and leave the group.
   */
  private static final Duration CONSUMER_STOP_MARGIN = Duration.ofSeconds(15);

  /**
   * Beyond the slowest relay's read timeout, how long the lanes may take to finish their sends and
   * stop: one deadline for them all.
   */
  private static final Duration LANE_STOP_MARGIN = Duration.ofSeconds(5);

  /** How long the producers may take to send what they still hold when the worker stops. */
  private static final Duration PRODUCER_CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private Drain() {}

  static void run(
      WorkerParts parts,
      Thread consumerThread,
      List<Thread> laneThreads,
      SuppressionReader suppressionReader,
      OpsServer ops) {
    Steps steps = new Steps();
    log.info("worker {} draining (up to {})", parts.config.workerId(), parts.config.drainTimeout());
    steps.run("the consumer's stop", () -> stopConsumer(parts, consumerThread));
    if (parts.ledger.reader() != null) {
      steps.run("closing the ledger's reader", parts.ledger.reader()::close);
    }
    if (suppressionReader != null) {
      steps.run("closing the suppression reader", suppressionReader::close);
    }
    if (parts.feedbackReports != null) {
      steps.run("closing the feedback reader", parts.feedbackReports::close);
    }
    steps.run("stopping the relay prober", parts.prober::close);
    steps.run("stopping the lanes", () -> stopLanes(parts, laneThreads));
    steps.run("closing the relays' connections", parts.relays::closeAll);
    steps.run("closing the producer", () -> parts.producer.close(PRODUCER_CLOSE_TIMEOUT));
    if (parts.ledger.producer() != null) {
      // after the lanes and the last commit: what is left is unfinished
      steps.run("closing the ledger's writer", parts.ledger.writer()::close);
      steps.run(
          "closing the ledger's producer",
          () -> parts.ledger.producer().close(PRODUCER_CLOSE_TIMEOUT));
    }
    steps.run("stopping the resends", parts.scheduler::shutdownNow);
    steps.run("stopping the acknowledgements", parts.acks::shutdownNow);
    steps.run("STOPPED", parts.health::stopped);
    if (ops != null) {
      steps.run("closing the health endpoints", ops::close);
    }
    steps.end();
    log.info("worker {} stopped: {}", parts.config.workerId(), parts.stats.snapshot());
  }

  /**
   * The steps of one drain. A step that leaves the thread interrupted (Kafka's {@code
   * InterruptException} sets the flag, and so does an interrupted join) would cut every later
   * step's bounded wait short: the lanes' join would throw at once, sessions would be cut mid-send
   * (in doubt: sent twice), the producers closed at once (events and ledger entries dropped). So
   * the flag is cleared after each step, remembered, and set again when the drain ends.
   */
  static final class Steps {

    private boolean interrupted;

    /**
     * Runs one step: whatever it throws is logged (by class and frames: its message can quote an
     * address), and the next step runs anyway, so that the worker always stops.
     */
    void run(String name, Runnable step) {
      try {
        step.run();
      } catch (RuntimeException | Error e) {
        log.error("drain: {} failed; going on with the next step", name, TraceOnly.of(e));
      }
      if (Thread.interrupted()) {
        interrupted = true;
        log.warn("drain: {} left the thread interrupted; the next steps still wait", name);
      }
    }

    /** Sets the thread's interrupt flag again if a step had left it set. */
    void end() {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void stopConsumer(WorkerParts parts, Thread consumerThread) {
    parts.consumeLoop.requestStop();
    join(consumerThread, parts.config.drainTimeout().plus(CONSUMER_STOP_MARGIN));
  }

  private static void stopLanes(WorkerParts parts, List<Thread> laneThreads) {
    parts.lanes.forEach(SenderLane::stop);
    Duration longestReply =
        parts.config.relays().stream()
            .map(r -> r.smtp().readTimeout())
            .max(Duration::compareTo)
            .orElseThrow();
    Duration timeout = longestReply.plus(LANE_STOP_MARGIN);
    try {
      for (Thread late : Joins.SYSTEM.all(laneThreads, timeout)) {
        log.warn("{} did not stop within {}", late.getName(), timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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
}
