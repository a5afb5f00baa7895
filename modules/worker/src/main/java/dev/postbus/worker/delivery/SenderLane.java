package dev.postbus.worker.delivery;

import dev.postbus.job.InvalidJobException;
import dev.postbus.job.Job;
import dev.postbus.job.JobCodec;
import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpConnection;
import dev.postbus.worker.deadletter.DeadLetter;
import dev.postbus.worker.deadletter.FailureClass;
import dev.postbus.worker.lifecycle.RelayHealth;
import dev.postbus.worker.lifecycle.WorkerStats;
import io.github.resilience4j.core.IntervalFunction;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sender lane: a thread that owns one SMTP connection and takes the next job from the shared queue.
 * A connection-level failure never fails the job: the lane reconnects (at once the first time, for a stale
 * socket; then with exponential backoff and jitter) and sends the same job again, until it is delivered,
 * refused by the relay, its partition is revoked, or the lane is stopped.
 */
public final class SenderLane implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(SenderLane.class);
  private static final Duration IDLE_CHECK = Duration.ofMillis(250);

  private final String name;
  private final DispatchQueue queue;
  private final SmtpConnection connection;
  private final JobCodec codec;
  private final MessageBuilder builder;
  private final DeliveryResults results;
  private final RelayHealth relay;
  private final WorkerStats stats;
  private final IntervalFunction backoff;
  private final Clock clock;
  private final CountDownLatch stop = new CountDownLatch(1);

  public SenderLane(String name, DispatchQueue queue, SmtpConnection connection, JobCodec codec,
      MessageBuilder builder, DeliveryResults results, RelayHealth relay, WorkerStats stats,
      IntervalFunction backoff, Clock clock) {
    this.name = name;
    this.queue = queue;
    this.connection = connection;
    this.codec = codec;
    this.builder = builder;
    this.results = results;
    this.relay = relay;
    this.stats = stats;
    this.backoff = backoff;
    this.clock = clock;
  }

  /** Asks the lane to stop after its current job; a job waiting to be retried is left (uncommitted). */
  public void stop() {
    stop.countDown();
  }

  @Override
  public void run() {
    try {
      while (stop.getCount() > 0) {
        Delivery d = queue.take(IDLE_CHECK);
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
    Job job;
    MimeMessage message;
    Address[] recipients;
    try {
      job = codec.read(d.value());
      message = builder.build(job);
      recipients = MessageBuilder.envelope(job);
    } catch (InvalidJobException e) {
      results.deadLetter(d, DeadLetter.poison(e.getMessage(), clock.instant()));
      return;
    } catch (MessagingException e) {
      results.deadLetter(d, DeadLetter.poison("(message): cannot build MIME message: " + e.getMessage(), clock.instant()));
      return;
    }
    send(d, message, recipients);
  }

  private void send(Delivery d, MimeMessage message, Address[] recipients) throws InterruptedException {
    Instant firstFailure = null;
    for (int attempt = 1; ; attempt++) {
      SendOutcome outcome = connection.send(message, recipients);
      if (outcome instanceof SendOutcome.Delivered delivered) {
        relay.answered();
        results.delivered(d, delivered.reply());
        return;
      }
      if (outcome instanceof SendOutcome.Rejected rejected) {
        relay.answered();
        Instant now = clock.instant();
        FailureClass cls = rejected.reply().permanentFailure() ? FailureClass.PERMANENT : FailureClass.TRANSIENT;
        results.deadLetter(d, new DeadLetter(cls, rejected.command() + " refused with " + rejected.reply().codes(),
            rejected.reply(), rejected.command(), attempt, firstFailure == null ? now : firstFailure, now));
        return;
      }
      String problem = problem(outcome);
      if (outcome instanceof SendOutcome.InDoubt) {
        stats.inDoubt();
        log.warn("{}: {} in doubt ({}); sending again (policy retry)", name, d, problem);
      }
      stats.connectionFailed();
      if (attempt == 1) {
        stats.retried();
        firstFailure = clock.instant();
      }
      Duration wait = attempt == 1 ? Duration.ZERO : Duration.ofMillis(backoff.apply(attempt - 1));
      if (attempt > 1) {
        relay.failed(problem, wait);
      }
      if (stop.await(wait.toMillis(), TimeUnit.MILLISECONDS) || d.owner().revoked()) {
        log.info("{}: leaving {} unsent (stopping or partition revoked); it stays uncommitted", name, d);
        return;
      }
    }
  }

  private static String problem(SendOutcome outcome) {
    if (outcome instanceof SendOutcome.InDoubt inDoubt) {
      return inDoubt.problem();
    }
    if (outcome instanceof SendOutcome.ConnectionFailed failed) {
      return failed.problem();
    }
    SendOutcome.RelayRefused refused = (SendOutcome.RelayRefused) outcome;
    return refused.problem() + (refused.reply() == null ? "" : " (" + refused.reply().codes() + ")");
  }
}
