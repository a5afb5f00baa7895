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
    log.info("worker {} draining (up to {})", parts.config.workerId(), parts.config.drainTimeout());
    step("the consumer's stop", () -> stopConsumer(parts, consumerThread));
    if (parts.ledger.reader() != null) {
      step("closing the ledger's reader", parts.ledger.reader()::close);
    }
    if (suppressionReader != null) {
      step("closing the suppression reader", suppressionReader::close);
    }
    if (parts.feedbackReports != null) {
      step("closing the feedback reader", parts.feedbackReports::close);
    }
    step("stopping the relay prober", parts.prober::close);
    step("stopping the lanes", () -> stopLanes(parts, laneThreads));
    step("closing the relays' connections", parts.relays::closeAll);
    step("closing the producer", () -> parts.producer.close(PRODUCER_CLOSE_TIMEOUT));
    if (parts.ledger.producer() != null) {
      // after the lanes and the last commit: what is left is unfinished
      step("closing the ledger's writer", parts.ledger.writer()::close);
      step(
          "closing the ledger's producer",
          () -> parts.ledger.producer().close(PRODUCER_CLOSE_TIMEOUT));
    }
    step("stopping the resends", parts.scheduler::shutdownNow);
    step("stopping the acknowledgements", parts.acks::shutdownNow);
    step("STOPPED", parts.health::stopped);
    if (ops != null) {
      step("closing the health endpoints", ops::close);
    }
    log.info("worker {} stopped: {}", parts.config.workerId(), parts.stats.snapshot());
  }

  /**
   * Runs one step of the drain: whatever it throws is logged (by class and frames: its message can
   * quote an address), and the next step runs anyway, so that the worker always stops.
   */
  static void step(String name, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException | Error e) {
      log.error("drain: {} failed; going on with the next step", name, TraceOnly.of(e));
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
