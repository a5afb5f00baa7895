package dev.postbus.worker.lifecycle;

import dev.postbus.worker.config.ValueType;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.dispatch.Holds;
import dev.postbus.worker.ops.OpsServer;
import dev.postbus.worker.ops.ResumeAnswer;
import dev.postbus.worker.relay.Relays;
import dev.postbus.worker.reputation.BounceGuard;
import dev.postbus.worker.reputation.Suppressions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's health and pause state machine: every hold of delivery (every relay out, the
 * bounce-rate guard, Kafka lost) and every lost sender lane goes through here, under this object's
 * lock, into {@link Holds} (what lanes and the consumer read) and the {@link WorkerState} (what
 * readiness reports), with the reasons for a paused worker. Each cause is read from its owner
 * ({@link Relays}, {@link BounceGuard}, the Kafka contact watch) when it changes.
 */
final class WorkerHealth {

  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private final WorkerConfig config;
  private final Clock clock;
  private final AtomicReference<WorkerState> state = new AtomicReference<>(WorkerState.STARTING);
  private final Holds holds = new Holds();
  private final AtomicInteger lanesLost = new AtomicInteger();
  private final Duration resumeWait;

  /** This run of the worker, in the guard's records (a restart with the same id is another). */
  private final String instance;

  /** Why the send ledger's writer stopped, once it has; else null. */
  private volatile String ledgerLost;

  /** When the worker was last in touch with Kafka, while it has lost it; else null. */
  private volatile Instant kafkaLostSince;

  private Relays relays;
  private BounceGuard guard;
  private Suppressions suppressions;
  private Supplier<String> feedbackReader = () -> null;
  private volatile Consumer<String> stop = what -> {};

  WorkerHealth(WorkerConfig config, Clock clock) {
    this(config, clock, RESUME_WAIT);
  }

  /**
   * @param resumeWait how long an operator's resume waits for Kafka to take its tombstone
   */
  WorkerHealth(WorkerConfig config, Clock clock, Duration resumeWait) {
    this.config = config;
    this.clock = clock;
    this.resumeWait = resumeWait;
    this.instance = config.workerId() + "#" + java.util.UUID.randomUUID();
  }

  /**
   * The causes it reads; set once, before any of them can change.
   *
   * @param feedbackReader the state of the feedback reader ("up", "down"...) for the probes' body,
   *     never for readiness (feedback is advisory); null, or a supplier of null, when there is none
   */
  void watch(
      Relays relays,
      BounceGuard guard,
      Suppressions suppressions,
      Supplier<String> feedbackReader) {
    this.feedbackReader = feedbackReader == null ? () -> null : feedbackReader;
    this.relays = relays;
    this.guard = guard;
    this.suppressions = suppressions;
  }

  Holds holds() {
    return holds;
  }

  WorkerState state() {
    return state.get();
  }

  boolean kafkaReachable() {
    return kafkaLostSince == null;
  }

  int lanesLost() {
    return lanesLost.get();
  }

  /** What the health probes report. */
  OpsServer.Status status() {
    WorkerState s = state.get();
    String reason =
        switch (s) {
          case STARTING -> "starting";
          case RUNNING -> null;
          case PAUSED -> pauseReason();
          case DRAINING -> "draining";
          case STOPPED -> "stopped";
        };
    return new OpsServer.Status(
        s.name(),
        live(s),
        s.ready(),
        reason,
        relays.all().stream()
            .map(r -> new OpsServer.RelayStatus(r.name(), r.offer().extensions(), r.offer().mode()))
            .toList(),
        feedbackReader.get());
  }

  /**
   * Live until stopped, or until a part the worker cannot do without is lost for good: the send
   * ledger's writer, or a sender lane (whose job may hold its partition's commit until a restart).
   * Either never comes back by itself, so the liveness probe has the worker restarted.
   */
  private boolean live(WorkerState s) {
    return s != WorkerState.STOPPED && ledgerLost == null && lanesLost.get() == 0;
  }

  /** What the probes report in {@code state}, without relays (before the worker is built). */
  static OpsServer.Status status(WorkerState s, String reason) {
    return new OpsServer.Status(
        s.name(), s != WorkerState.STOPPED, s.ready(), reason, List.of(), null);
  }

  private String pauseReason() {
    List<String> reasons = new ArrayList<>();
    Instant lost = kafkaLostSince;
    if (lost != null) {
      reasons.add("kafka unreachable since " + TIME.format(lost) + " UTC");
    }
    if (guard.tripped() != null) {
      reasons.add(guard.tripped() + "; resume with `postbus resume` once the list is cleaned");
    }
    if (relays.allOut()) {
      reasons.add("relay problem: " + relays.problem());
    }
    if (ledgerLost != null) {
      reasons.add(ledgerLost + " (see the log); restart the worker");
    }
    if (lanesLost.get() > 0) {
      reasons.add(
          lanesLost.get()
              + " of "
              + config.lanes()
              + " sender lanes stopped by an unexpected error (see the log); not live: restart the"
              + " worker");
    }
    return String.join("; ", reasons);
  }

  /** Kafka lost (the time of the last contact) or back (null); on the consumer thread. */
  void onKafka(Instant lastContact) {
    Instant was = kafkaLostSince;
    kafkaLostSince = lastContact;
    if (lastContact != null) {
      log.warn(
          "worker {}: Kafka at {} unreachable since {} UTC (no fetch, commit, or heartbeat or rebalance step answered for"
              + " {}); delivery held and not ready until it is back. Jobs wait in Kafka; nothing is lost",
          config.workerId(),
          config.bootstrapServers(),
          TIME.format(lastContact),
          ValueType.format(config.kafkaWatch().lostAfter()));
    } else if (was != null) {
      log.info(
          "worker {}: Kafka is back (unreachable from {} UTC for {} s)",
          config.workerId(),
          TIME.format(was),
          Duration.between(was, clock.instant()).toSeconds());
    }
    reconsiderPause();
  }

  /** How long an operator's resume waits for Kafka to take its tombstone. */
  static final Duration RESUME_WAIT = Duration.ofSeconds(10);

  /**
   * Lets delivery go on after the bounce-rate guard paused it, with a fresh window, once Kafka has
   * the resume (the group's, and any restart's): when Kafka does not take it within the resume wait
   * ({@link #RESUME_WAIT} in a worker), this worker stays paused and the answer says why.
   */
  ResumeAnswer resume() {
    if (guard.tripped() == null) {
      return ResumeAnswer.NOT_HELD;
    }
    String problem = suppressions.guardResumed(resumeWait);
    if (problem != null) {
      log.warn("worker {}: the bounce-rate guard was not resumed: {}", config.workerId(), problem);
      return ResumeAnswer.notWritten(problem);
    }
    if (guard.resume()) {
      log.info("worker {}: the bounce-rate guard was resumed by an operator", config.workerId());
      reconsiderPause();
    }
    return ResumeAnswer.DONE;
  }

  /**
   * The start-up is done: RUNNING, only from STARTING and under the lock {@link #beginDrain} takes.
   * False when a drain began first (the consumer thread failed meanwhile): it stays draining.
   */
  synchronized boolean startRunning() {
    if (state.get() != WorkerState.STARTING) {
      return false;
    }
    moveTo(WorkerState.RUNNING);
    return true;
  }

  /** The end of a drain, whatever its steps threw: STOPPED, once. */
  synchronized void stopped() {
    if (state.get() != WorkerState.STOPPED) {
      moveTo(WorkerState.STOPPED);
    }
  }

  /**
   * What stops the worker as failed when a part it cannot do without is lost for good (a sender
   * lane, the send ledger's writer); set once by the worker, before its threads start.
   */
  void whenLost(Consumer<String> stop) {
    this.stop = stop;
  }

  synchronized boolean beginDrain() {
    WorkerState s = state.get();
    if (s == WorkerState.DRAINING || s == WorkerState.STOPPED) {
      return false;
    }
    moveTo(WorkerState.DRAINING);
    return true;
  }

  /** A sender lane stopped by an error it could not get past; on that lane's thread. */
  void onLaneLost(String lane) {
    int lost = lanesLost.incrementAndGet();
    log.error(
        "worker {}: sender {} stopped; {} of {} lanes left. Not ready, nor live: the worker stops",
        config.workerId(),
        lane,
        config.lanes() - lost,
        config.lanes());
    reconsiderPause();
    stop.accept("sender " + lane + " was lost");
  }

  /** The send ledger's writer stopped on an unexpected error; on its thread. */
  void onLedgerLost(String why) {
    ledgerLost = why;
    log.error(
        "worker {}: {}; delivery held (a send could not be recorded): the worker stops",
        config.workerId(),
        why);
    reconsiderPause();
    stop.accept("the send ledger's writer was lost");
  }

  void onRelayChange(boolean down) {
    reconsiderPause();
  }

  /**
   * A trip or resume of the group's guard read from the suppressions topic (at start-up, or from
   * another worker); this worker's own records are known already.
   */
  void onGroupGuard(String trip) {
    if (trip == null) {
      if (guard.resume()) {
        log.info("worker {}: the bounce-rate guard was resumed in the group", config.workerId());
        reconsiderPause();
      }
      return;
    }
    int nl = trip.indexOf('\n');
    String from = nl < 0 ? "" : trip.substring(0, nl);
    String reason = trip.substring(nl + 1);
    if (from.equals(instance)) {
      return;
    }
    if (guard.hold(reason)) {
      log.warn(
          "worker {}: delivery paused by the group's bounce-rate guard ({}, tripped by {}); jobs stay"
              + " in Kafka. Clean the list, then `postbus resume`",
          config.workerId(),
          reason,
          from);
      reconsiderPause();
    }
  }

  void onGuardTrip(String reason) {
    log.warn(
        "worker {}: delivery paused by the bounce-rate guard: {} (guard.max-bounce-rate {},"
            + " guard.max-complaint-rate {}); jobs stay in Kafka, nothing is lost. The whole group"
            + " holds, across restarts: clean the list, then `postbus resume`",
        config.workerId(),
        reason,
        config.reputation().guardMaxBounceRate(),
        config.reputation().guardMaxComplaintRate());
    suppressions.guardTripped(instance, reason);
    reconsiderPause();
  }

  /**
   * PAUSED (not ready) while every relay is out, the bounce-rate guard holds delivery, Kafka is
   * lost, the send ledger's writer stopped or a sender lane was lost; RUNNING otherwise.
   */
  synchronized void reconsiderPause() {
    holds.set(Holds.Reason.RELAYS_OUT, relays.allOut());
    holds.set(Holds.Reason.BOUNCE_GUARD, guard.tripped() != null);
    holds.set(Holds.Reason.KAFKA_LOST, kafkaLostSince != null);
    holds.set(Holds.Reason.LEDGER_LOST, ledgerLost != null);
    boolean hold = holds.held() || lanesLost.get() > 0;
    WorkerState s = state.get();
    if (hold && s == WorkerState.RUNNING) {
      moveTo(WorkerState.PAUSED);
    } else if (!hold && s == WorkerState.PAUSED) {
      moveTo(WorkerState.RUNNING);
    }
  }

  synchronized void moveTo(WorkerState target) {
    WorkerState from = state.get();
    state.set(from.moveTo(target));
    log.info("worker {}: {} -> {}", config.workerId(), from, target);
  }
}
