package dev.postbus.worker.delivery;

import dev.postbus.job.Job;
import dev.postbus.job.JobClass;
import dev.postbus.smtp.Envelope;
import dev.postbus.smtp.OutcomeClass;
import dev.postbus.smtp.ReplyClassifier;
import dev.postbus.smtp.TraceOnly;
import dev.postbus.worker.dedupe.Dedupe;
import dev.postbus.worker.dedupe.DedupeIndex;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.DispatchQueue;
import dev.postbus.worker.dispatch.Holds;
import dev.postbus.worker.outcome.Failure;
import dev.postbus.worker.outcome.Outcomes;
import dev.postbus.worker.relay.Relays;
import dev.postbus.worker.reputation.BounceGuard;
import dev.postbus.worker.reputation.Suppressions;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sender lane: a thread that takes the next job from the shared queue and sends it on a
 * connection it borrows from the relay the job goes to.
 *
 * <p>Per job: decode and validate ({@link Preparation}: poison → dead letter), take the next job
 * ahead when the relay lets its envelope ride behind this message ({@link TakeAhead}), send through
 * the relays ({@link RelayRoute}: failover, probe, holds), and record how the attempt ended ({@link
 * AttemptRecorder}, through the pure {@link OutcomeMapper}).
 */
public final class SenderLane implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(SenderLane.class);

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
      Consumer<String> onLaneLost,
      Clock clock,
      DedupeGate dedupe) {}

  private final String name;
  private final Shared shared;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final TakeAhead ahead;
  private final RelayRoute route;
  private final AttemptRecorder recorder;

  public SenderLane(String name, Shared shared) {
    this.name = name;
    this.shared = shared;
    LedgerGate ledgerGate =
        new LedgerGate(
            name,
            shared.holds(),
            this::stopping,
            shared.outcomes()::ledgerEntryComing,
            shared.outcomes().stats()::ledgerWait);
    this.ahead = new TakeAhead(shared, this::stopping);
    this.route = new RelayRoute(name, shared, ahead, ledgerGate, stop);
    this.recorder = new AttemptRecorder(name, shared, ledgerGate);
  }

  /**
   * The class a job waits for rate permits and domain slots in: its own, or transactional for all
   * with the classes off (first come, first served, as before the classes).
   */
  static JobClass scheduledClass(Shared shared, Delivery d) {
    return shared.queue().classesOn() ? d.jobClass() : JobClass.TRANSACTIONAL;
  }

  /**
   * Asks the lane to stop after its current job; a job held for a relay problem is left
   * (uncommitted).
   */
  public void stop() {
    stop.countDown();
  }

  /** The lane stops or the job's partition is being let go: a job not yet sent is handed back. */
  private boolean leaving(Delivery d) {
    return stopping() || d.owner().releasing();
  }

  private boolean stopping() {
    return stop.getCount() == 0;
  }

  @Override
  public void run() {
    try {
      while (!stopping() || ahead.holds()) { // a job taken ahead is sent even when stopping
        turn();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      log.error(
          "{} stopped by an unexpected error; its job is left uncommitted and the worker asks to be"
              + " restarted",
          name,
          TraceOnly.of(e)); // its message can quote an address
    } finally {
      letGoOfAhead();
      if (!stopping()) {
        shared.onLaneLost().accept(name);
      }
    }
  }

  /**
   * The lane ends: a job it took ahead and did not handle (an error ended the lane) ends its claim
   * (another record of its id is decided, not left waiting) and is handed back unstarted; the
   * connection kept for it is closed. Once: the job is no longer held after.
   */
  private void letGoOfAhead() {
    TakeAhead.Next held = ahead.poll();
    try {
      if (held != null) {
        shared.dedupe().release(held.delivery());
        held.delivery().owner().handBack(held.delivery().offset());
      }
    } finally {
      ahead.releaseKept();
    }
  }

  /**
   * One turn of the loop: the job taken ahead, else the next queued one unless delivery is held.
   */
  private void turn() throws InterruptedException {
    TakeAhead.Next next = ahead.poll();
    if (next == null && shared.holds().lanesHeld()) { // guard or Kafka lost: take nothing
      shared.relays().closeIdle();
      stop.await(RelayRoute.IDLE_CHECK.toMillis(), TimeUnit.MILLISECONDS);
      return;
    }
    Delivery d = next != null ? next.delivery() : shared.queue().take(RelayRoute.IDLE_CHECK);
    if (d == null) {
      shared.relays().closeIdle();
    } else {
      boolean ended = false;
      try {
        if (!d.owner().revoked()) {
          handleSafely(d, next);
        }
        ended = true;
      } finally {
        if (!ended) {
          leaveUnfinished(d);
        }
        shared.dedupe().release(d); // a claim its attempt left (revoked, given back)
        shared.queue().done(d); // a bulk lane free again
      }
    }
    if (!ahead.holds()) {
      ahead.releaseKept(); // kept for a job ahead that was not sent on it (partition revoked)
    }
  }

  /**
   * An error the lane cannot get past (an Error, or one while recording a failure) ended its job's
   * attempt: the job is handed back unfinished, as a crash would leave it. Its send may have
   * reached the relay, so it is not finished as anything: its offset stays uncommitted (the send
   * ledger decides on its next owner, after the restart the lost lane asks for), and neither the
   * drain nor a hand-over of its partition waits for a lane that is gone.
   */
  private void leaveUnfinished(Delivery d) {
    log.warn("{}: leaving {} unfinished (the lane is ending); it stays uncommitted", name, d);
    d.owner().handBack(d.offset());
  }

  /**
   * Handles one job; an unexpected error of ours on it (a bug, not the job's fault) before the
   * relay's answer is known ends that attempt as a transient failure, in doubt once its SMTP
   * transaction began (an error after the answer is known is handled by {@link AttemptRecorder}),
   * so the job is retried (or dead-lettered by the in-doubt rule) and its partition's commit moves
   * on; a record with a malformed {@code postbus.recipients} is dead-lettered as poison instead
   * (retried, it would go to every recipient). Should recording that fail too, or an Error be
   * thrown, the lane cannot go on: its job is left unfinished ({@link #leaveUnfinished}) and the
   * lane stops (the worker reports it, and asks to be restarted).
   */
  private void handleSafely(Delivery d, TakeAhead.Next ahead) throws InterruptedException {
    route.nextJob();
    Attempt attempt = ahead != null && ahead.attempt() != null ? ahead.attempt() : Attempt.of(d);
    try {
      handle(attempt, ahead == null ? null : ahead.prepared());
    } catch (RuntimeException e) {
      boolean inDoubt = route.transactionStarted();
      boolean poison = attempt.malformed() != null; // retried, it would have no restriction
      log.error(
          "{}: unexpected error on {}; it is {}",
          name,
          d,
          poison
              ? "dead-lettered as poison (its postbus.recipients is malformed)"
              : inDoubt ? "retried as in doubt (its SMTP transaction had begun)" : "retried",
          TraceOnly.of(e)); // its message can quote an address
      String reason = "unexpected error in the worker: " + e.getClass().getSimpleName();
      Failure f =
          poison
              ? Failure.poison(attempt.malformed())
              : new Failure(OutcomeClass.TRANSIENT, reason, null, null, inDoubt);
      recorder.failed(attempt, null, f, attempt.only());
    }
  }

  /**
   * @param preparedAhead the job's preparation when it was taken ahead, else null
   */
  private void handle(Attempt a, Preparation.Result preparedAhead) throws InterruptedException {
    Delivery d = a.delivery();
    Preparation.Result prepared =
        preparedAhead != null ? preparedAhead : a.prepare(shared.preparation());
    if (!sendable(a, prepared)) { // before a refusal: a copy of a finished job is a duplicate
      return;
    }
    if (prepared instanceof Preparation.Refused refused) {
      recorder.failed(a, refused.job(), refused.failure(), refused.recipients());
      return;
    }
    if (prepared instanceof Preparation.NotYet later) {
      recorder.scheduled(a, later.job(), later.notBefore());
      return;
    }
    Preparation.Ready ready = (Preparation.Ready) prepared;
    RelayRoute.Sent sent;
    JobClass jobClass = scheduledClass(shared, d);
    DomainGate.Pass pass = shared.domains().enter(ready.recipients(), jobClass, () -> leaving(d));
    if (pass == null) {
      ahead.releaseKept(); // a connection kept for this job holds its envelope: not for the next
      route.handBack(d);
      return;
    }
    try (pass) {
      // only now: a job taken ahead while this one waited at the gate would wait with it
      Envelope next = ahead.take(d);
      // in a transactional send's way at a domain, a bulk send takes its permits at its priority
      Supplier<JobClass> sendClass =
          jobClass == JobClass.TRANSACTIONAL
              ? () -> jobClass // nothing to raise: the gate is not asked
              : () -> pass.contended() ? JobClass.TRANSACTIONAL : jobClass;
      sent = route.send(d, ready, next, sendClass);
    }
    if (sent != null) {
      recorder.answered(a, ready, sent);
    }
  }

  /**
   * Idempotent publishing, decided before a refusal (a copy of a job finished before is a
   * duplicate, not a dead letter an operator would replay), whenever the job id can be read: false
   * when the record is not sent (nor refused) because its job id finished before (a duplicate
   * event, or a conflict dead letter, is recorded) or, while another record of the id was being
   * sent, its partition began to be let go or the lane to stop: it is handed back unstarted
   * (uncommitted; the revocation does not wait for it).
   */
  private boolean sendable(Attempt a, Preparation.Result prepared) throws InterruptedException {
    Job job =
        prepared instanceof Preparation.Ready r
            ? r.job()
            : prepared instanceof Preparation.NotYet n
                ? n.job()
                : prepared instanceof Preparation.Refused f ? f.job() : null;
    if (job == null || job.id() == null) {
      return true;
    }
    Delivery d = a.delivery();
    Dedupe.Verdict v =
        shared.dedupe().claim(a, job.id(), () -> stopping() || d.owner().releasing());
    if (v == null) { // not started: a hand-over of its partition does not wait for it
      log.info(
          "{}: leaving {} unsent (stopping or partition let go); it stays uncommitted", name, d);
      d.owner().handBack(d.offset());
      return false;
    }
    if (v instanceof Dedupe.Duplicate dup) {
      recorder.duplicate(a, job, dup.original());
      return false;
    }
    if (v instanceof Dedupe.Conflict c) {
      recorder.failed(a, job, conflict(job, c.original()), null);
      return false;
    }
    return true;
  }

  private static Failure conflict(Job job, DedupeIndex.Original o) {
    String reason =
        "conflict: job id "
            + job.id()
            + " was finished within dedupe.window with other content ("
            + o.source()
            + "@"
            + o.offset()
            + ", "
            + o.outcome().label()
            + "); the producer reused the id: publish it with a new id, or replay this dead letter"
            + " to send it anyway";
    return new Failure(OutcomeClass.CONFLICT, reason, null, null, false);
  }
}
