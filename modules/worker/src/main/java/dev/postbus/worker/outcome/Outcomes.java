package dev.postbus.worker.outcome;

import dev.postbus.job.Job;
import dev.postbus.smtp.OutcomeClass;
import dev.postbus.smtp.SmtpReply;
import dev.postbus.worker.config.InDoubtPolicy;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.retry.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns how an attempt ended into records: a delivered event; a retry record on the ladder plus a
 * deferred event; or a dead letter plus a dead-lettered event. One attempt can end several ways at
 * once (a partial send). The delivery counts as finished, and its offset may be committed, only
 * when Kafka has acknowledged every record of its {@link Batch}.
 */
public final class Outcomes {

  private static final Logger log = LoggerFactory.getLogger(Outcomes.class);

  private final DurableSender sender;
  private final RecordFactory records;
  private final RetryPolicy ladder;
  private final InDoubtPolicy inDoubtPolicy;
  private final String jobsTopic;
  private final OutcomeListener stats;
  private final Consumer<Delivery> finished;
  private final Clock clock;
  private String ledgerTopic;
  private int ledgerPartitions;
  private DurableSender ledgerSender;

  public Outcomes(
      DurableSender sender,
      String deadLetterTopic,
      String eventsTopic,
      String workerId,
      RetryPolicy ladder,
      InDoubtPolicy inDoubtPolicy,
      String jobsTopic,
      OutcomeListener stats,
      Consumer<Delivery> finished,
      Clock clock) {
    this.sender = sender;
    this.records = new RecordFactory(deadLetterTopic, eventsTopic, workerId);
    this.ladder = ladder;
    this.inDoubtPolicy = inDoubtPolicy;
    this.jobsTopic = jobsTopic;
    this.stats = stats;
    this.finished = finished;
    this.clock = clock;
  }

  /** Who counts the outcomes (and the lanes' send attempts). */
  public OutcomeListener stats() {
    return stats;
  }

  /**
   * Writes a send-ledger entry for every finished record (set before the lanes start). A delivery's
   * entry goes out beside its event and carries it; after a retry or dead letter it is written only
   * once every other record of the attempt is acknowledged, so the ledger never calls a job
   * finished whose retry or dead letter could still be lost.
   */
  public void useLedger(String topic, int partitions, DurableSender sender) {
    this.ledgerTopic = topic;
    this.ledgerPartitions = partitions;
    this.ledgerSender = sender;
  }

  /**
   * Writes again the {@code delivered} event a send-ledger entry carries, for a record a new owner
   * skips through the ledger (the worker that sent it may have died before Kafka had the event):
   * the same event, same job id and attempt; consumers dedupe terminal events by job id and
   * attempt. The record is finished once Kafka has the event; without an events topic, at once.
   */
  public void rewriteDelivered(Delivery d, dev.postbus.worker.ledger.LedgerEntry entry) {
    ProducerRecord<byte[], byte[]> record = records.eventAgain(entry);
    if (record == null) {
      finished.accept(d);
      return;
    }
    sender.send(
        record,
        () -> "delivered event (again, after a ledger skip) for " + d,
        () -> d.owner().revoked(),
        () -> finished.accept(d));
  }

  /**
   * Starts recording the end of one attempt.
   *
   * @param job the decoded job, or null when it could not be decoded
   * @param attempt the number of this attempt (1 for the first)
   * @param firstFailure when an earlier attempt first failed, or null
   */
  public Batch begin(Delivery d, Job job, int attempt, Instant firstFailure) {
    return new Batch(d, job, attempt, firstFailure);
  }

  /** The records of one attempt. Call {@link #end()} once everything is added. */
  public final class Batch {

    private final Delivery d;
    private final Job job;
    private final int attempt;
    private final Instant firstFailure;
    private final Instant now = clock.instant();
    private final AtomicInteger pending = new AtomicInteger(1);
    private final java.util.concurrent.CountDownLatch ledgerWritten =
        new java.util.concurrent.CountDownLatch(1);
    private volatile boolean ledgerSent;

    /**
     * A record that carries the job on (retry, scheduled, dead letter) was added: the ledger entry
     * must wait for it.
     */
    private boolean hasFailureRecords;

    /** The delivered event's value, carried by the ledger entry; null when none was written. */
    private byte[] deliveredEvent;

    private Batch(Delivery d, Job job, int attempt, Instant firstFailure) {
      this.d = d;
      this.job = job;
      this.attempt = attempt;
      this.firstFailure = firstFailure;
    }

    public void delivered(SmtpReply reply, int recipients) {
      event(
          "delivered",
          e -> {
            RecordFactory.putReply(e, reply);
            e.put("deliveredTo", recipients);
          });
      stats.delivered(d.timestamp(), now.toEpochMilli());
    }

    /**
     * A failure for the job (recipients null) or for some of its recipients: retried on the ladder
     * when transient, dead-lettered otherwise.
     */
    public void failed(Failure f, Duration retryHint, List<String> recipients) {
      if (f.inDoubt()) {
        stats.inDoubt();
      }
      boolean retry =
          f.outcomeClass() == OutcomeClass.TRANSIENT
              && !(f.inDoubt() && inDoubtPolicy == InDoubtPolicy.DEAD_LETTER);
      if (!retry) {
        deadLetter(f, recipients);
        return;
      }
      Instant first = firstFailure == null ? now : firstFailure;
      RetryPolicy.Decision decision =
          ladder.next(attempt, first, now, retryHint, ThreadLocalRandom.current()::nextDouble);
      if (decision instanceof RetryPolicy.GiveUp giveUp) {
        deadLetter(f.expired(giveUp.reason()), recipients);
        return;
      }
      RetryPolicy.RetryAt at = (RetryPolicy.RetryAt) decision;
      hasFailureRecords = true;
      String tier = ladder.topic(jobsTopic, at.tier());
      stats.retried(tier);
      send(records.retry(d, tier, attempt, first, at.due(), f, recipients), "retry record");
      event(
          f.inDoubt() ? "in-doubt" : "deferred",
          e -> {
            RecordFactory.putFailure(e, f);
            RecordFactory.putRecipients(e, recipients);
            e.put("nextAttemptAt", at.due().toString());
            e.put("retryTopic", tier);
          });
    }

    /**
     * The job is scheduled for later: it waits on the retry ladder until {@code notBefore}, without
     * counting an attempt and without holding its partition.
     */
    public void scheduled(Instant notBefore, List<String> recipients) {
      RetryPolicy.RetryAt at =
          holdUntil(notBefore, recipients, "scheduled record", attempt - 1, firstFailure);
      event(
          "scheduled",
          e -> {
            e.put("notBefore", notBefore.toString());
            e.put("retryTopic", ladder.topic(jobsTopic, at.tier()));
          });
    }

    /**
     * The relay asked us to slow down: the job waits on the first tier of the ladder (or as long as
     * the relay asked). The first throttle of a job does not count as an attempt but starts the
     * clock of {@code retry.max-age}; every later one counts against {@code retry.max-attempts}, so
     * a throttle that never ends becomes a dead letter (expired) like any other failure.
     */
    public void throttled(Failure f, Duration retryHint, List<String> recipients) {
      Instant first = firstFailure == null ? now : firstFailure;
      int counted = firstFailure == null ? attempt - 1 : attempt;
      if (firstFailure != null
          && ladder.next(counted, first, now, null, () -> 0.5)
              instanceof RetryPolicy.GiveUp giveUp) {
        deadLetter(f.expired(giveUp.reason()), recipients);
        return;
      }
      Duration wait = ladder.delays().get(0);
      if (retryHint != null && retryHint.compareTo(wait) > 0) {
        wait = retryHint;
      }
      RetryPolicy.RetryAt at =
          holdUntil(now.plus(wait), recipients, "throttled record", counted, first);
      String tier = ladder.topic(jobsTopic, at.tier());
      stats.retried(tier);
      event(
          "deferred",
          e -> {
            RecordFactory.putFailure(e, f);
            RecordFactory.putRecipients(e, recipients);
            e.put("throttled", true);
            e.put("nextAttemptAt", at.due().toString());
            e.put("retryTopic", tier);
          });
    }

    /**
     * Puts the job on the ladder until {@code until} with {@code attempts} made so far and its
     * first failure.
     */
    private RetryPolicy.RetryAt holdUntil(
        Instant until, List<String> recipients, String what, int attempts, Instant first) {
      RetryPolicy.RetryAt at = ladder.hold(until, now);
      send(
          records.scheduled(
              d, ladder.topic(jobsTopic, at.tier()), attempts, first, at.due(), recipients),
          what);
      return at;
    }

    private void deadLetter(Failure f, List<String> recipients) {
      hasFailureRecords = true;
      stats.deadLettered(f.outcomeClass().label());
      boolean suppressed = f.outcomeClass() == OutcomeClass.SUPPRESSED;
      log.info(
          "dead-lettering {} (job {}) as {}: {}",
          d,
          job == null ? "?" : job.id(),
          f.outcomeClass().label(),
          suppressed // an operator's reason is free text: it stays in the dead letter
              ? (recipients == null ? "?" : recipients.size())
                  + " recipients on the suppression list"
              : f.reply() == null ? f.reason() : f.reply().codes());
      send(
          records.deadLetter(
              d, attempt, firstFailure == null ? now : firstFailure, now, f, recipients),
          "dead letter",
          RecordFactory::withoutPayload);
      event(
          f.inDoubt() ? "in-doubt" : suppressed ? "suppressed" : "dead-lettered",
          e -> {
            RecordFactory.putFailure(e, f);
            RecordFactory.putRecipients(e, recipients);
            e.put("deadLetterTopic", records.deadLetterTopic());
          });
    }

    /**
     * No more records: the delivery finishes when the ones added are acknowledged. When only a
     * delivery was recorded, the ledger entry goes out at once, beside the event (one round trip),
     * carrying the event: a new owner that skips the job writes the event again. After a retry
     * record or dead letter it waits for them (see {@link #release}).
     */
    public void end() {
      if (ledgerTopic != null && !hasFailureRecords) {
        sendLedger();
      }
      release();
    }

    /**
     * Waits until the send ledger holds this attempt (at most {@code max}), so that a lane starts
     * its next SMTP transaction only when a crash could no longer make this one be sent again.
     * Returns at once when the ledger is off.
     */
    public boolean awaitLedger(Duration max) throws InterruptedException {
      return ledgerTopic == null
          || ledgerWritten.await(max.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** The delivery this batch records. */
    public Delivery delivery() {
      return d;
    }

    private void sendLedger() {
      ledgerSent = true;
      pending.incrementAndGet();
      ledgerSender.send(
          RecordFactory.ledger(ledgerTopic, ledgerPartitions, d, job, now, deliveredEvent),
          () -> "ledger entry for " + d,
          () -> d.owner().revoked(),
          () -> {
            ledgerWritten.countDown();
            release();
          });
    }

    private void event(
        String type,
        java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> details) {
      if (!records.eventsOn()) {
        return;
      }
      ProducerRecord<byte[], byte[]> event = records.event(d, job, type, attempt, now, details);
      if (type.equals("delivered")) {
        deliveredEvent = event.value(); // the ledger entry carries it (same bytes, no copy)
      }
      send(event, type + " event");
    }

    private void send(ProducerRecord<byte[], byte[]> record, String what) {
      send(record, what, null);
    }

    /**
     * @param tooLarge what to write instead when Kafka refuses the record as too large, or null
     */
    private void send(
        ProducerRecord<byte[], byte[]> record,
        String what,
        java.util.function.UnaryOperator<ProducerRecord<byte[], byte[]>> tooLarge) {
      pending.incrementAndGet();
      sender.send(
          record, () -> what + " for " + d, () -> d.owner().revoked(), this::release, tooLarge);
    }

    private void release() {
      if (pending.decrementAndGet() != 0) {
        return;
      }
      if (ledgerTopic != null && !ledgerSent) {
        sendLedger(); // every other record is safe now
        return;
      }
      finished.accept(d);
    }
  }
}
