package dev.postbus.worker.delivery;

import dev.postbus.job.JobClass;
import dev.postbus.smtp.Envelope;
import dev.postbus.smtp.OutcomeClass;
import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpConnection;
import dev.postbus.smtp.TraceOnly;
import dev.postbus.smtp.Verdict;
import dev.postbus.worker.config.Provider;
import dev.postbus.worker.config.RelayConfig;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.relay.ConnectionPool;
import dev.postbus.worker.relay.Relay;
import dev.postbus.worker.relay.Relays;
import dev.postbus.worker.relay.SendRate;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane's way to a relay for a job: the relay the job goes to ({@link Relays}), a connection of
 * it, its send rate, then the send. After a connection-level failure it sends again at once on a
 * fresh connection (resilience4j, a couple of attempts); when the relay itself refuses us
 * (unreachable, authentication, TLS) it is taken out and the job goes to the next relay, or waits
 * for the relay's probe when none is left, never charging the job. While delivery is held, or when
 * the lane stops or its partition is let go before the job's transaction began, the job is handed
 * back unsent. Used on the lane's thread.
 */
final class RelayRoute {

  private static final Logger log = LoggerFactory.getLogger(SenderLane.class);

  /** How often a held lane looks again whether it may go on. */
  static final Duration IDLE_CHECK = Duration.ofMillis(250);

  /** How often a lane waiting for a relay looks whether its job's partition is being let go. */
  private static final Duration RELEASE_CHECK = Duration.ofMillis(50);

  /** Longest a lane waits for a connection of the chosen relay before choosing again. */
  private static final Duration BORROW_WAIT = Duration.ofMillis(250);

  /** A send that ended (not given up): the relay it went to and what came of it. */
  record Sent(Relay relay, SendOutcome outcome) {}

  /**
   * One try on one relay: its connection (null when none came free in time) and how it was picked.
   */
  private record Leg(Relay relay, ConnectionPool.Lease lease, Relays.Pick pick) {}

  /**
   * The message of a job, its provider metadata header, and the envelope of the job taken ahead (or
   * null).
   */
  private record Message(
      String jobId, MimeMessage mime, Address[] recipients, Envelope next, ProviderHeader header) {}

  private final String name;
  private final SenderLane.Shared shared;
  private final TakeAhead ahead;
  private final Runnable beforeDot;
  private final CountDownLatch stop;
  private final Retry freshConnection;

  /** Whether the job at hand reached its SMTP transaction (an error after it is in doubt). */
  private boolean transactionStarted;

  /**
   * @param beforeDot run by the connection just before each final dot (the lane's ledger gate)
   * @param stop counted down when the lane stops
   */
  RelayRoute(
      String name,
      SenderLane.Shared shared,
      TakeAhead ahead,
      Runnable beforeDot,
      CountDownLatch stop) {
    this.name = name;
    this.shared = shared;
    this.ahead = ahead;
    this.beforeDot = beforeDot;
    this.stop = stop;
    this.freshConnection =
        Retry.of(
            name,
            RetryConfig.<SendOutcome>custom()
                .maxAttempts(shared.freshConnectionAttempts())
                .waitDuration(Duration.ofMillis(50))
                .retryOnResult(o -> shared.classifier().classify(o).freshConnection())
                .failAfterMaxAttempts(false)
                // Only the relay's answer asks for a fresh connection (an error of ours inside the
                // connection comes back as its outcome: lost before the final dot, in doubt after
                // it, the relay's answer once it came; unwritable while encoding, nothing sent).
                // An exception (ours outside the connection, or the ledger's writer lost: no
                // connection may send it) may come after the relay accepted the message: sent
                // again, it would be mailed twice. It goes to the lane, which records the job as
                // in doubt once its transaction began.
                .retryOnException(e -> false)
                .build());
  }

  /** A new job is at hand: it has not reached its SMTP transaction. */
  void nextJob() {
    transactionStarted = false;
  }

  /** Whether the job at hand reached its SMTP transaction. */
  boolean transactionStarted() {
    return transactionStarted;
  }

  /**
   * Sends through the relay the job goes to; a relay that refuses us is taken out and the job goes
   * to the next, or waits for a probe when none is left. Null when given up (stopping, or the
   * partition let go): the job was handed back.
   *
   * @param next the envelope of the job taken ahead, to announce behind this message, or null
   */
  Sent send(Delivery d, Preparation.Ready ready, Envelope next, Supplier<JobClass> sendClass)
      throws InterruptedException {
    String pool = RelayConfig.poolOf(ready.job());
    Message message =
        new Message(
            ready.job().id(),
            ready.message(),
            ready.recipients(),
            next,
            new ProviderHeader(ready.message(), ready.job().id()));
    while (true) {
      if (shared.holds().lanesHeld()) { // bounce guard or Kafka lost: hold the job
        if (giveUpWhileHeld(d)) {
          return handBack(d);
        }
        continue;
      }
      Leg leg = nextLeg(pool);
      if (leg.relay() == null) { // every relay of the pool is out, none due for a probe
        if (giveUpAfter(leg.pick().waitFor(), d)) {
          return handBack(d);
        }
        continue;
      }
      SendOutcome outcome;
      try {
        outcome = sendOn(leg, d, message, sendClass);
      } catch (LedgerGate.DotWithheld e) {
        log.warn("{}; {} is held, not in doubt", e.getMessage(), d);
        transactionStarted = false; // the relay never had the final dot: nothing was accepted
        continue; // LEDGER_LOST holds the lanes: the job waits, and is handed back
      }
      if (outcome == null) {
        if (stopping() || d.owner().releasing()) {
          return handBack(d);
        }
        continue; // no connection came free in time: choose again, the relay may be out by now
      }
      if (!refusedUs(leg, outcome)) {
        return new Sent(leg.relay(), outcome);
      }
    }
  }

  /**
   * Everything done once the relay's result is in: the relay told it answered, or refused us (true:
   * it is out, the job tries another), then the connection given back (or kept for the job taken
   * ahead). A message we could not write into memory ({@link SendOutcome.Unwritable}: ours, not the
   * relay's) tells nothing of the relay: it stays as it was, and a probe it was is abandoned (the
   * next job probes). Once the relay has answered, nothing of ours may lose that answer: the relay
   * is told first, so a give-back that throws cannot leave it probing for good; an error in either
   * step (a bug) is logged, and the outcome stands (a 250 lost would be sent again as in doubt); a
   * connection not yet given back is dropped.
   */
  private boolean refusedUs(Leg leg, SendOutcome outcome) {
    boolean refused = settle(leg, outcome);
    try {
      giveBack(leg, outcome);
    } catch (RuntimeException e) {
      unexpectedAfterSend(leg, e);
      drop(leg.lease());
    }
    return refused;
  }

  /**
   * Tells the relay what its answer says of it; true when it refused us. A probe the relay was not
   * told of (an error of ours before it) is abandoned: the next job probes.
   */
  private boolean settle(Leg leg, SendOutcome outcome) {
    boolean probe = leg.pick() != null && leg.pick().probe();
    boolean refused = false;
    try {
      refused = relayProblem(outcome);
      if (refused) {
        leg.relay().failed(OutcomeMapper.problem(outcome));
      } else if (outcome instanceof SendOutcome.Unwritable) {
        if (probe) {
          leg.relay().abandonProbe();
        }
      } else {
        leg.relay().answered();
      }
    } catch (RuntimeException e) {
      unexpectedAfterSend(leg, e);
      if (probe) {
        leg.relay().abandonProbe(); // does nothing once the relay was told
      }
    } catch (Error e) {
      if (probe) {
        leg.relay().abandonProbe();
      }
      throw e;
    }
    return refused;
  }

  private void unexpectedAfterSend(Leg leg, RuntimeException e) {
    log.error(
        "{}: unexpected error after the send on relay {} ended; its outcome stands",
        name,
        leg.relay().name(),
        TraceOnly.of(e));
  }

  /**
   * Ends a lease whose give-back failed (it was not kept: keeping it is the give-back's last step):
   * its connection is closed (its state is not known), and the lease ends, once (a lease that ended
   * already stays so; its connection may be another's now).
   */
  private void drop(ConnectionPool.Lease lease) {
    if (lease == null) {
      return;
    }
    try {
      lease.connection().disconnect(); // throws when the lease ended already: nothing to close
    } catch (RuntimeException e) {
      log.debug("{}: the dropped connection was not closed: {}", name, e.getClass().getName());
    } finally {
      lease.close();
    }
  }

  /** The connection kept for this job when it was taken ahead, else a relay's pick and a borrow. */
  private Leg nextLeg(String pool) throws InterruptedException {
    TakeAhead.Kept kept = ahead.takeKept();
    if (kept != null) {
      return new Leg(kept.relay(), kept.lease(), null);
    }
    Relays.Pick pick = shared.relays().pick(pool);
    Relay relay = pick.relay();
    if (relay == null) {
      return new Leg(null, null, pick);
    }
    try {
      return new Leg(relay, relay.connections().borrow(BORROW_WAIT, beforeDot), pick);
    } catch (InterruptedException | RuntimeException | Error e) {
      if (pick.probe()) {
        relay.abandonProbe(); // no leg holds the probe: else the relay stays probing for good
      }
      throw e;
    }
  }

  /** Sends on the leg's connection once the rates allow; null when nothing was sent. */
  private SendOutcome sendOn(Leg leg, Delivery d, Message message, Supplier<JobClass> sendClass)
      throws InterruptedException {
    SendOutcome outcome = null;
    try {
      if (leg.lease() != null && admitted(leg.relay(), d, sendClass)) {
        outcome = beginTransaction(d, leg, message);
      }
    } finally {
      if (outcome == null) { // else given back with the relay's answer, guarded (refusedUs)
        giveBack(leg, null);
      }
    }
    return outcome;
  }

  /**
   * Waits for the relay's rate and the global one, in the turn of {@code c} (read again while it
   * waits); false when given up meanwhile.
   */
  private boolean admitted(Relay relay, Delivery d, Supplier<JobClass> c)
      throws InterruptedException {
    BooleanSupplier giveUp =
        () -> stopping() || d.owner().releasing() || shared.holds().lanesHeld();
    SendRate total = shared.relays().total();
    boolean limited = relay.rate().limited() || (total != null && total.limited());
    long start = limited ? System.nanoTime() : 0;
    // acquire also counts the send for the throttle feedback, limit or not
    JobClass granted = relay.rate().acquireGranted(c, giveUp);
    if (granted != null && total != null) {
      JobClass last = total.acquireGranted(c, giveUp);
      granted = last == null || total.limited() ? last : granted; // the limited one's turn
    }
    if (granted != null && limited) { // filed under the class the wait ended in
      shared.outcomes().stats().permitWait(granted, System.nanoTime() - start);
    }
    return granted != null;
  }

  /**
   * The lane is about to start the SMTP transaction of {@code d}: the last checks before it go
   * here, as after this point an error leaves the job in doubt. Null when it does not start. The
   * message gets the envelope sender and metadata header of the leg's relay's provider first.
   */
  private SendOutcome beginTransaction(Delivery d, Leg leg, Message message) {
    // a hold may have come on, or the partition been let go, while this lane waited
    if (shared.holds().lanesHeld() || d.owner().releasing()) {
      return null;
    }
    Provider provider = leg.relay().config().provider();
    try {
      message.header().setFor(provider);
      if (!shared
          .preparation()
          .envelopeSender()
          .setFor(message.mime(), message.jobId(), provider)) {
        shared.outcomes().stats().verpSkipped();
      }
    } catch (MessagingException e) {
      throw new IllegalStateException(
          "cannot set the relay's envelope sender or metadata header", e);
    }
    transactionStarted = true;
    return freshConnection.executeSupplier(() -> timedSend(leg.lease().connection(), message));
  }

  /**
   * Gives the connection back, or keeps it when it holds the next job's envelope and this send
   * ended (that job is sent next, on it); a probe that sent nothing is abandoned.
   */
  private void giveBack(Leg leg, SendOutcome outcome) {
    if (outcome == null && leg.pick() != null && leg.pick().probe()) {
      leg.relay().abandonProbe(); // first: a give-back that throws leaves no relay probing
    }
    ConnectionPool.Lease lease = leg.lease();
    if (lease != null) {
      if (outcome != null && lease.connection().hasAhead()) {
        ahead.keep(lease, leg.relay());
      } else {
        if (lease.connection().hasAhead()) {
          lease.connection().disconnect(); // it holds an envelope that was not sent on it
        }
        lease.close();
      }
    }
  }

  private SendOutcome timedSend(SmtpConnection connection, Message message) {
    long start = System.nanoTime();
    SendOutcome outcome = connection.send(message.mime(), message.recipients(), message.next());
    count(outcome, System.nanoTime() - start);
    return outcome;
  }

  /**
   * The send's metrics. Once the relay has answered, nothing of ours may lose that answer: an error
   * here (a bug) is logged, and the outcome goes on (a 250 lost would be sent again as in doubt).
   */
  private void count(SendOutcome outcome, long nanos) {
    try {
      shared.outcomes().stats().smtpSend(nanos);
      if (outcome instanceof SendOutcome.ConnectFailed
          || outcome instanceof SendOutcome.ConnectionLost
          || outcome instanceof SendOutcome.InDoubt
          || outcome instanceof SendOutcome.RelayRefused) {
        shared.outcomes().stats().connectionFailed(); // the connection failed, not the message
      }
    } catch (RuntimeException e) {
      log.error("{}: unexpected error counting a send; its outcome stands", name, TraceOnly.of(e));
    }
  }

  /** The relay refused us (not the message): it is taken out and the job tries another. */
  private boolean relayProblem(SendOutcome outcome) {
    Verdict v = shared.classifier().classify(outcome);
    return v.relayLevel()
        && (outcome instanceof SendOutcome.ConnectFailed || v.outcomeClass() == OutcomeClass.FATAL);
  }

  /**
   * Delivery is held: lets go of a connection holding the next envelope (not kept for hours), waits
   * a little; true when the lane stopped or the job's partition is being let go meanwhile.
   */
  private boolean giveUpWhileHeld(Delivery d) throws InterruptedException {
    ahead.releaseKept();
    return giveUpAfter(IDLE_CHECK, d);
  }

  /**
   * Waits {@code wait}; true when the lane stopped or the job's partition is being let go, which
   * ends the wait within {@link #RELEASE_CHECK}: a revocation waits for held jobs in its callback,
   * and a relay's backoff can be minutes.
   */
  private boolean giveUpAfter(Duration wait, Delivery d) throws InterruptedException {
    long end = System.nanoTime() + wait.toNanos();
    while (!d.owner().releasing()) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      if (stop.await(Math.min(left, RELEASE_CHECK.toNanos()), TimeUnit.NANOSECONDS)) {
        return true;
      }
    }
    return true;
  }

  private boolean stopping() {
    return stop.getCount() == 0;
  }

  /**
   * Leaves a job this lane has not started: it stays uncommitted (redelivered to whoever owns its
   * partition next), and a hand-over of its partition does not wait for it. Null, for "given up".
   */
  Sent handBack(Delivery d) {
    log.info("{}: leaving {} unsent (stopping or partition let go); it stays uncommitted", name, d);
    d.owner().handBack(d.offset());
    return null;
  }
}
