package dev.postbus.worker.delivery;

import dev.postbus.job.Job;
import dev.postbus.smtp.OutcomeClass;
import dev.postbus.smtp.ReplyClassifier;
import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpConnection;
import dev.postbus.smtp.Verdict;
import dev.postbus.worker.lifecycle.RelayHealth;
import dev.postbus.worker.outcome.Failure;
import dev.postbus.worker.outcome.Outcomes;
import io.github.resilience4j.core.IntervalFunction;
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
 * One sender lane: a thread that owns one SMTP connection and takes the next job from the shared queue.
 *
 * <p>Per job: decode and validate (poison → dead letter), send; after a connection-level failure send again
 * at once on a fresh connection (resilience4j, a couple of attempts); while the relay itself refuses us
 * (unreachable, authentication, TLS) hold the job and probe with backoff, never charging the job; record
 * every other ending through {@link Outcomes}.
 */
public final class SenderLane implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(SenderLane.class);
  private static final Duration IDLE_CHECK = Duration.ofMillis(250);
  /** Longest a lane waits for its ledger entry before it goes on anyway. */
  private static final Duration LEDGER_WAIT = Duration.ofSeconds(10);

  /** What every lane of a worker shares. */
  public record Shared(DispatchQueue queue, Preparation preparation, SendRate rate, DomainGate domains,
      ReplyClassifier classifier,
      Outcomes outcomes, RelayHealth relay, IntervalFunction relayBackoff, int freshConnectionAttempts, Clock clock) {}

  private final String name;
  private final SmtpConnection connection;
  private final Shared shared;
  private final Retry freshConnection;
  private final CountDownLatch stop = new CountDownLatch(1);
  /** The last attempt this lane recorded; its ledger entry must be safe before the next final dot. */
  private Outcomes.Batch previous;

  public SenderLane(String name, SmtpConnection connection, Shared shared) {
    this.name = name;
    this.connection = connection;
    this.shared = shared;
    connection.beforeFinalDot(this::awaitPreviousLedgerEntry);
    this.freshConnection = Retry.of(name, RetryConfig.<SendOutcome>custom()
        .maxAttempts(shared.freshConnectionAttempts())
        .waitDuration(Duration.ofMillis(50))
        .retryOnResult(o -> shared.classifier().classify(o).freshConnection())
        .failAfterMaxAttempts(false)
        .build());
  }

  /**
   * Waits until the send ledger holds the previous attempt. Called on this lane's thread just before the
   * final dot: MAIL, RCPT and the message data of the next job overlap with the ledger's round trip, and
   * still at most one message per connection can be accepted by the relay without being in the ledger.
   */
  private void awaitPreviousLedgerEntry() {
    Outcomes.Batch p = previous;
    if (p == null) {
      return;
    }
    try {
      p.awaitLedger(LEDGER_WAIT);
      previous = null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Asks the lane to stop after its current job; a job held for a relay problem is left (uncommitted). */
  public void stop() {
    stop.countDown();
  }

  @Override
  public void run() {
    try {
      while (stop.getCount() > 0) {
        Delivery d = shared.queue().take(IDLE_CHECK);
        if (d == null) {
          connection.closeIfIdle();
        } else if (!d.owner().revoked()) {
          handle(d);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("{} stopped by an unexpected error", name, e);
    } finally {
      connection.close();
    }
  }

  void handle(Delivery d) throws InterruptedException {
    int attempt = DeliveryHeaders.attempts(d.headers()) + 1;
    Instant firstFailure = DeliveryHeaders.firstFailure(d.headers());
    List<String> only = DeliveryHeaders.recipients(d.headers());
    Preparation.Result prepared = shared.preparation().prepare(d.value(), only);
    if (prepared instanceof Preparation.Refused refused) {
      endWith(d, refused.job(), attempt, firstFailure, refused.failure(), refused.recipients());
      return;
    }
    if (prepared instanceof Preparation.NotYet later) {
      Outcomes.Batch batch = shared.outcomes().begin(d, later.job(), attempt, firstFailure);
      batch.scheduled(later.notBefore(), only);
      batch.end();
      previous = batch;
      return;
    }
    Preparation.Ready ready = (Preparation.Ready) prepared;
    Job job = ready.job();
    MimeMessage message = ready.message();
    Address[] recipients = ready.recipients();
    SendOutcome outcome;
    try (DomainGate.Pass pass = shared.domains().enter(recipients)) {
      shared.rate().acquire();
      outcome = sendThroughRelayProblems(d, message, recipients);
    }
    if (outcome != null) {
      record(d, job, attempt, firstFailure, only, recipients.length, outcome);
    }
  }

  /** Sends; while the relay refuses us, holds the job and probes with backoff. Null when given up (stopping). */
  private SendOutcome sendThroughRelayProblems(Delivery d, MimeMessage message, Address[] recipients)
      throws InterruptedException {
    SendOutcome outcome = freshConnection.executeSupplier(() -> timedSend(message, recipients));
    for (int probe = 1; ; probe++) {
      Verdict v = shared.classifier().classify(outcome);
      boolean relayProblem = v.relayLevel()
          && (outcome instanceof SendOutcome.ConnectFailed || v.outcomeClass() == OutcomeClass.FATAL);
      if (!relayProblem) {
        shared.relay().answered();
        return outcome;
      }
      Duration wait = Duration.ofMillis(shared.relayBackoff().apply(probe));
      shared.relay().failed(problem(outcome), wait);
      if (stop.await(wait.toMillis(), TimeUnit.MILLISECONDS) || d.owner().revoked()) {
        log.info("{}: leaving {} unsent (stopping or partition revoked); it stays uncommitted", name, d);
        return null;
      }
      outcome = timedSend(message, recipients);
    }
  }

  private SendOutcome timedSend(MimeMessage message, Address[] recipients) {
    long start = System.nanoTime();
    SendOutcome outcome = connection.send(message, recipients);
    shared.outcomes().stats().smtpSend(System.nanoTime() - start);
    return outcome;
  }

  /** The state of this lane's connection, for the connection gauges. */
  public dev.postbus.smtp.ConnectionState connectionState() {
    return connection.state();
  }

  /** Connections this lane has opened so far. */
  public long connectionOpens() {
    return connection.opens();
  }

  private void record(Delivery d, Job job, int attempt, Instant firstFailure, List<String> only, int recipients,
      SendOutcome outcome) {
    Outcomes.Batch batch = shared.outcomes().begin(d, job, attempt, firstFailure);
    if (outcome instanceof SendOutcome.Delivered delivered) {
      shared.rate().accepted();
      batch.delivered(delivered.reply(), recipients);
    } else if (outcome instanceof SendOutcome.RecipientsRefused refused) {
      if (refused.dataReply() != null) {
        batch.delivered(refused.dataReply(), refused.accepted());
      }
      recordRefusals(batch, refused);
    } else if (outcome instanceof SendOutcome.Rejected rejected) {
      Verdict v = shared.classifier().classify(rejected.reply());
      Failure f = new Failure(v.outcomeClass(), rejected.command() + " refused with " + rejected.reply().codes(),
          rejected.reply(), rejected.command(), false);
      if (v.throttle() && v.outcomeClass() == OutcomeClass.TRANSIENT) {
        shared.rate().throttled(); // slow down; the job waits without counting an attempt
        batch.throttled(f, v.retryAfter(), only);
      } else {
        batch.failed(f, v.retryAfter(), only);
      }
    } else if (outcome instanceof SendOutcome.InDoubt inDoubt) {
      log.warn("{}: {} in doubt ({})", name, d, inDoubt.problem());
      batch.failed(new Failure(OutcomeClass.TRANSIENT, inDoubt.problem(), null, "DATA", true), null, only);
    } else {
      batch.failed(new Failure(OutcomeClass.TRANSIENT, problem(outcome), null, null, false), null, only);
    }
    batch.end();
    previous = batch;
  }

  /** Refused recipients, grouped by class: the permanent ones are dead-lettered, the transient ones retried. */
  private void recordRefusals(Outcomes.Batch batch, SendOutcome.RecipientsRefused refused) {
    var byClass = new java.util.EnumMap<OutcomeClass, List<SendOutcome.Refusal>>(OutcomeClass.class);
    for (SendOutcome.Refusal r : refused.refused()) {
      OutcomeClass c = shared.classifier().classify(r.reply()).outcomeClass();
      byClass.computeIfAbsent(c == OutcomeClass.PERMANENT ? c : OutcomeClass.TRANSIENT, k -> new java.util.ArrayList<>()).add(r);
    }
    byClass.forEach((c, list) -> {
      SendOutcome.Refusal first = list.get(0);
      Verdict v = shared.classifier().classify(first.reply());
      batch.failed(new Failure(c, "RCPT refused with " + first.reply().codes() + " for " + list.size() + " of "
          + (refused.refused().size() + refused.accepted()) + " recipients", first.reply(), "RCPT", false),
          v.retryAfter(), list.stream().map(SendOutcome.Refusal::address).toList());
    });
  }

  private void endWith(Delivery d, Job job, int attempt, Instant firstFailure, Failure f, List<String> only) {
    Outcomes.Batch batch = shared.outcomes().begin(d, job, attempt, firstFailure);
    batch.failed(f, null, only);
    batch.end();
    previous = batch;
  }

  private static String problem(SendOutcome outcome) {
    if (outcome instanceof SendOutcome.ConnectFailed f) {
      return f.problem();
    }
    if (outcome instanceof SendOutcome.ConnectionLost l) {
      return l.problem();
    }
    if (outcome instanceof SendOutcome.InDoubt i) {
      return i.problem();
    }
    if (outcome instanceof SendOutcome.Rejected r) {
      return r.command() + " refused with " + r.reply().codes();
    }
    if (outcome instanceof SendOutcome.RelayRefused r) {
      return r.problem() + (r.reply() == null ? "" : " (" + r.reply().codes() + ")");
    }
    return outcome.getClass().getSimpleName();
  }
}
