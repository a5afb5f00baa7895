package dev.postbus.worker.delivery;

import dev.postbus.job.Job;
import dev.postbus.smtp.Envelope;
import dev.postbus.smtp.OutcomeClass;
import dev.postbus.smtp.ReplyClassifier;
import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpConnection;
import dev.postbus.smtp.Verdict;
import dev.postbus.worker.config.RelayConfig;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.DeliveryHeaders;
import dev.postbus.worker.dispatch.DispatchQueue;
import dev.postbus.worker.dispatch.Holds;
import dev.postbus.worker.outcome.Failure;
import dev.postbus.worker.outcome.Outcomes;
import dev.postbus.worker.relay.ConnectionPool;
import dev.postbus.worker.relay.Relay;
import dev.postbus.worker.relay.Relays;
import dev.postbus.worker.reputation.BounceGuard;
import dev.postbus.worker.reputation.Suppressions;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import jakarta.mail.Address;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sender lane: a thread that takes the next job from the shared queue and sends it on a
 * connection it borrows from the relay the job goes to.
 *
 * <p>Per job: decode and validate (poison → dead letter), choose a relay ({@link Relays}), send;
 * after a connection-level failure send again at once on a fresh connection (resilience4j, a couple
 * of attempts); when the relay itself refuses us (unreachable, authentication, TLS) it is taken out
 * and the job goes to another relay, or waits for the relay's probe when none is left, never
 * charging the job; record every other ending through {@link Outcomes}.
 */
public final class SenderLane implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(SenderLane.class);
  private static final Duration IDLE_CHECK = Duration.ofMillis(250);

  /** Longest a lane waits for a connection of the chosen relay before choosing again. */
  private static final Duration BORROW_WAIT = Duration.ofMillis(250);

  /** What every lane of a worker shares. */
  public record Shared(
      DispatchQueue queue,
      Preparation preparation,
      Relays relays,
      DomainGate domains,
      ReplyClassifier classifier,
      Outcomes outcomes,
      int freshConnectionAttempts,
      Suppressions suppressions,
      BounceGuard guard,
      Holds holds,
      java.util.function.Consumer<String> onLaneLost,
      Clock clock) {}

  /** A send that ended (not given up): the relay it went to and what came of it. */
  private record Sent(Relay relay, SendOutcome outcome) {}

  private final String name;
  private final Shared shared;
  private final Retry freshConnection;
  private final OutcomeMapper mapper;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final LedgerGate ledgerGate;

  /**
   * The job this lane took ahead (its envelope was named to the connection), handled next, and its
   * preparation.
   */
  private Delivery held;

  private Preparation.Result heldPrepared;

  /**
   * The connection that holds the envelope of {@link #held}, kept by this lane until that job is
   * sent.
   */
  private ConnectionPool.Lease kept;

  private Relay keptRelay;

  /** Whether the job at hand reached its SMTP transaction (an error after it is in doubt). */
  private boolean transactionStarted;

  public SenderLane(String name, Shared shared) {
    this.name = name;
    this.shared = shared;
    this.mapper = new OutcomeMapper(shared.classifier());
    this.ledgerGate = new LedgerGate(name, shared.holds(), () -> stop.getCount() == 0);
    this.freshConnection =
        Retry.of(
            name,
            RetryConfig.<SendOutcome>custom()
                .maxAttempts(shared.freshConnectionAttempts())
                .waitDuration(Duration.ofMillis(50))
                .retryOnResult(o -> shared.classifier().classify(o).freshConnection())
                .failAfterMaxAttempts(false)
                .build());
  }

  /**
   * Asks the lane to stop after its current job; a job held for a relay problem is left
   * (uncommitted).
   */
  public void stop() {
    stop.countDown();
  }

  @Override
  public void run() {
    try {
      while (stop.getCount() > 0 || held != null) { // a job taken ahead is sent even when stopping
        Preparation.Result prepared = heldPrepared;
        boolean ahead = held != null;
        if (!ahead && shared.holds().lanesHeld()) { // guard or Kafka lost: take nothing
          shared.relays().closeIdle();
          stop.await(IDLE_CHECK.toMillis(), TimeUnit.MILLISECONDS);
          continue;
        }
        Delivery d = ahead ? held : shared.queue().take(IDLE_CHECK);
        held = null;
        heldPrepared = null;
        if (d == null) {
          shared.relays().closeIdle();
        } else if (!d.owner().revoked()) {
          handleSafely(d, prepared);
        }
        if (held == null) {
          releaseKept(); // a connection kept for a job ahead that was not sent on it (its partition
          // was revoked)
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      log.error(
          "{} stopped by an unexpected error; the worker goes on with one lane less", name, e);
    } finally {
      if (stop.getCount() > 0) {
        shared.onLaneLost().accept(name);
      }
    }
  }

  /**
   * Handles one job; an unexpected error of ours on it (a bug, not the job's fault) before the
   * relay's answer is known ends that attempt as a transient failure, in doubt once its SMTP
   * transaction began (an error after the answer is known is handled by {@link #record}), so the
   * job is retried (or dead-lettered by the in-doubt rule) and its partition's commit moves on.
   * Should recording that fail too, the lane cannot go on and stops (the worker reports it).
   */
  private void handleSafely(Delivery d, Preparation.Result prepared) throws InterruptedException {
    transactionStarted = false;
    try {
      handle(d, prepared);
    } catch (RuntimeException e) {
      log.error(
          "{}: unexpected error on {}; it is retried{}",
          name,
          d,
          transactionStarted ? " as in doubt (its SMTP transaction had begun)" : "",
          e);
      Outcomes.Batch batch =
          shared
              .outcomes()
              .begin(
                  d,
                  null,
                  DeliveryHeaders.attempts(d.headers()) + 1,
                  DeliveryHeaders.firstFailure(d.headers()));
      batch.failed(
          new Failure(
              OutcomeClass.TRANSIENT,
              "unexpected error in the worker: " + e.getClass().getSimpleName(),
              null,
              null,
              transactionStarted),
          null,
          DeliveryHeaders.recipients(d.headers()));
      batch.end();
      ledgerGate.after(batch);
    }
  }

  void handle(Delivery d) throws InterruptedException {
    handle(d, null);
  }

  /**
   * @param preparedAhead the job's preparation when it was taken ahead, else null
   */
  private void handle(Delivery d, Preparation.Result preparedAhead) throws InterruptedException {
    int attempt = DeliveryHeaders.attempts(d.headers()) + 1;
    Instant firstFailure = DeliveryHeaders.firstFailure(d.headers());
    List<String> only = DeliveryHeaders.recipients(d.headers());
    Preparation.Result prepared =
        preparedAhead != null ? preparedAhead : shared.preparation().prepare(d.value(), only);
    if (prepared instanceof Preparation.Refused refused) {
      endWith(d, refused.job(), attempt, firstFailure, refused.failure(), refused.recipients());
      return;
    }
    if (prepared instanceof Preparation.NotYet later) {
      Outcomes.Batch batch = shared.outcomes().begin(d, later.job(), attempt, firstFailure);
      batch.scheduled(later.notBefore(), only);
      batch.end();
      ledgerGate.after(batch);
      return;
    }
    Preparation.Ready ready = (Preparation.Ready) prepared;
    Job job = ready.job();
    Address[] recipients = ready.recipients();
    Envelope next = takeNextAhead();
    Sent sent;
    try (DomainGate.Pass pass = shared.domains().enter(recipients)) {
      sent =
          sendThroughRelayProblems(d, RelayConfig.poolOf(job), ready.message(), recipients, next);
    }
    if (sent != null) {
      record(d, ready, attempt, firstFailure, only, sent);
    }
  }

  /**
   * With pipelined DATA (the relay offers PIPELINING, not CHUNKING), the next job's envelope can
   * ride in the same write as this message's end, so that it finds its 354 waiting: one round trip
   * per message instead of two. For that the lane takes its next job now, when one is queued,
   * prepares it, and sends it next on the same connection. Only with a single relay, where the next
   * job cannot go elsewhere (a connection asked to send another envelope than the one it announced
   * must reconnect). Null when nothing is taken ahead.
   */
  private Envelope takeNextAhead() throws InterruptedException {
    List<Relay> all = shared.relays().all();
    if (all.size() != 1
        || !all.get(0).offer().writesAhead()
        || stop.getCount() == 0
        || shared.holds().held()) {
      return null;
    }
    Delivery next = shared.queue().take(Duration.ZERO);
    if (next == null) {
      return null;
    }
    held = next;
    heldPrepared =
        shared.preparation().prepare(next.value(), DeliveryHeaders.recipients(next.headers()));
    if (heldPrepared instanceof Preparation.Ready r) {
      try {
        return SmtpConnection.envelopeOf(r.message(), r.recipients());
      } catch (jakarta.mail.MessagingException e) {
        return null; // the message then fails on its own turn, with its own outcome
      }
    }
    return null;
  }

  /**
   * Sends through the relay the job goes to; a relay that refuses us is taken out and the job goes
   * to the next, or waits for a probe when none is left. Null when given up (stopping, or the
   * partition revoked).
   */
  private Sent sendThroughRelayProblems(
      Delivery d, String pool, MimeMessage message, Address[] recipients, Envelope next)
      throws InterruptedException {
    while (true) {
      if (shared.holds().lanesHeld()) { // bounce guard or Kafka lost: hold the job
        releaseKept(); // a connection holding the next envelope is not kept for hours
        if (stop.await(IDLE_CHECK.toMillis(), TimeUnit.MILLISECONDS) || d.owner().releasing()) {
          return handBack(d);
        }
        continue;
      }
      ConnectionPool.Lease lease = kept;
      Relay relay = keptRelay;
      kept = null;
      keptRelay = null;
      Relays.Pick pick = null;
      if (lease == null) {
        pick = shared.relays().pick(pool);
        relay = pick.relay();
        if (relay == null) {
          if (stop.await(pick.waitFor().toMillis(), TimeUnit.MILLISECONDS)
              || d.owner().releasing()) {
            return handBack(d);
          }
          continue;
        }
        lease = relay.connections().borrow(BORROW_WAIT, ledgerGate);
      }
      SendOutcome outcome = null;
      try {
        java.util.function.BooleanSupplier giveUp =
            () -> stop.getCount() == 0 || d.owner().releasing() || shared.holds().lanesHeld();
        if (lease != null
            && relay.rate().acquire(giveUp)
            && (shared.relays().total() == null || shared.relays().total().acquire(giveUp))) {
          // a hold may have come on, or the partition been let go, while this lane waited
          if (!shared.holds().lanesHeld() && !d.owner().releasing()) {
            transactionStarted = true;
            ConnectionPool.Lease l = lease;
            outcome =
                freshConnection.executeSupplier(
                    () -> timedSend(l.connection(), message, recipients, next));
          }
        }
      } finally {
        if (lease != null) {
          if (outcome != null && lease.connection().hasAhead()) {
            kept =
                lease; // the next job's envelope waits on it: this lane sends that job next, on it
            keptRelay = relay;
          } else {
            if (lease.connection().hasAhead()) {
              lease.connection().disconnect(); // it holds an envelope that was not sent on it
            }
            lease.close();
          }
        }
        if (outcome == null && pick != null && pick.probe()) {
          relay.abandonProbe();
        }
      }
      if (outcome == null) {
        if (stop.getCount() == 0 || d.owner().releasing()) {
          return handBack(d);
        }
        continue; // no connection came free in time: choose again, the relay may be out by now
      }
      Verdict v = shared.classifier().classify(outcome);
      boolean relayProblem =
          v.relayLevel()
              && (outcome instanceof SendOutcome.ConnectFailed
                  || v.outcomeClass() == OutcomeClass.FATAL);
      if (!relayProblem) {
        relay.answered();
        return new Sent(relay, outcome);
      }
      relay.failed(OutcomeMapper.problem(outcome));
    }
  }

  /**
   * Leaves a job this lane has not started: it stays uncommitted (redelivered to whoever owns its
   * partition next), and a hand-over of its partition does not wait for it. Null, for "given up".
   */
  private Sent handBack(Delivery d) {
    log.info("{}: leaving {} unsent (stopping or partition let go); it stays uncommitted", name, d);
    d.owner().handBack(d.offset());
    return null;
  }

  /**
   * Gives back a connection kept for the job taken ahead when that job will not be sent on it (its
   * partition was revoked): the connection is closed first, since it holds that job's envelope.
   */
  private void releaseKept() {
    if (kept != null) {
      kept.connection().disconnect();
      kept.close();
      kept = null;
      keptRelay = null;
    }
  }

  private SendOutcome timedSend(
      SmtpConnection connection, MimeMessage message, Address[] recipients, Envelope next) {
    long start = System.nanoTime();
    SendOutcome outcome = connection.send(message, recipients, next);
    shared.outcomes().stats().smtpSend(System.nanoTime() - start);
    if (outcome instanceof SendOutcome.ConnectFailed
        || outcome instanceof SendOutcome.ConnectionLost
        || outcome instanceof SendOutcome.InDoubt
        || outcome instanceof SendOutcome.RelayRefused) {
      shared.outcomes().stats().connectionFailed(); // the connection failed, not the message
    }
    return outcome;
  }

  /**
   * Records what the relay answered. Once that answer is known an error of ours while recording it
   * must not make the job be sent again: each step is recorded on its own, an error is logged and
   * the batch still ends (at worst a delivery the relay took is finished without its event).
   */
  private void record(
      Delivery d,
      Preparation.Ready ready,
      int attempt,
      Instant firstFailure,
      List<String> only,
      Sent sent) {
    Outcomes.Batch batch = shared.outcomes().begin(d, ready.job(), attempt, firstFailure);
    OutcomeMapper.Mapping m;
    try {
      m = mapper.map(ready, only, sent.outcome());
    } catch (RuntimeException e) {
      if (!relayTookSome(sent.outcome())) {
        throw e; // nothing was accepted: a retry sends nothing twice
      }
      recordingFailed(d, e);
      endBatch(batch);
      return;
    }
    guarded(d, () -> relaySignals(d, sent.relay(), m));
    for (OutcomeMapper.Step step : m.steps()) {
      guarded(d, () -> recordStep(batch, step));
    }
    for (OutcomeMapper.Bounce b : m.bounces()) {
      guarded(d, () -> shared.suppressions().refused(b.address(), b.reply(), b.command()));
    }
    guarded(d, () -> shared.guard().record(m.accepted(), m.refusedPermanently()));
    endBatch(batch);
  }

  private void relaySignals(Delivery d, Relay relay, OutcomeMapper.Mapping m) {
    if (m.relayAccepted()) {
      relay.rate().accepted();
      relay.delivered();
    }
    if (m.slowDown()) {
      relay.rate().throttled(); // slow down; throttled recipients wait without an attempt
    }
    if (m.inDoubt() != null) {
      log.warn("{}: {} in doubt ({})", name, d, m.inDoubt());
    }
  }

  private static void recordStep(Outcomes.Batch batch, OutcomeMapper.Step step) {
    if (step instanceof OutcomeMapper.Delivered s) {
      batch.delivered(s.reply(), s.recipients());
    } else if (step instanceof OutcomeMapper.Throttled s) {
      batch.throttled(s.failure(), s.retryAfter(), s.recipients());
    } else if (step instanceof OutcomeMapper.Failed s) {
      batch.failed(s.failure(), s.retryAfter(), s.recipients());
    }
  }

  private static boolean relayTookSome(SendOutcome outcome) {
    return outcome instanceof SendOutcome.Delivered
        || (outcome instanceof SendOutcome.RecipientsRefused r && r.accepted() > 0);
  }

  private void guarded(Delivery d, Runnable part) {
    try {
      part.run();
    } catch (RuntimeException e) {
      recordingFailed(d, e);
    }
  }

  private void recordingFailed(Delivery d, RuntimeException e) {
    log.error(
        "{}: unexpected error while recording the relay's answer for {}; not sent again",
        name,
        d,
        e);
  }

  private void endBatch(Outcomes.Batch batch) {
    batch.end();
    ledgerGate.after(batch);
  }

  private void endWith(
      Delivery d, Job job, int attempt, Instant firstFailure, Failure f, List<String> only) {
    Outcomes.Batch batch = shared.outcomes().begin(d, job, attempt, firstFailure);
    batch.failed(f, null, only);
    batch.end();
    ledgerGate.after(batch);
  }
}
