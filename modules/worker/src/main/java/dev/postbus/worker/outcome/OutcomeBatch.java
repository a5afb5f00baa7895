package dev.postbus.worker.outcome;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postbus.job.Job;
import dev.postbus.smtp.OutcomeClass;
import dev.postbus.smtp.SmtpReply;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.ledger.LedgerOutcome;
import dev.postbus.worker.ledger.LedgerWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records of one attempt (from {@link Outcomes#begin}): events, retry and scheduled records on
 * the ladder ({@link RetryHandOff} decides where), dead letters, then the send-ledger entry. Call
 * {@link #end()} once everything is added; the delivery is finished when Kafka has acknowledged
 * every record.
 */
public final class OutcomeBatch {

  private static final Logger log = LoggerFactory.getLogger(Outcomes.class);

  private final Outcomes.Shared shared;
  private final Delivery d;
  private final Job job;
  private final int attempt;
  private final Instant firstFailure;
  private final Instant now;
  private final AtomicInteger pending = new AtomicInteger(1);

  /** Records on the ladder carrying the job on, not (yet) replaced by a dead letter. */
  private final AtomicInteger ladderRecords = new AtomicInteger();

  private final CountDownLatch ledgerWritten = new CountDownLatch(1);
  private volatile boolean ledgerSent;

  /**
   * A record that carries the job on (retry, scheduled, throttled, dead letter) was added: the
   * ledger entry, which tells a new owner to skip the record, must wait until it is acknowledged,
   * or a crash between the two would lose the job.
   */
  private boolean carriesJobOn;

  /** The delivered event's value, carried by the ledger entry; null when none was written. */
  private byte[] deliveredEvent;

  /** The fingerprint of the record's value (kept in the ledger entry), or null. */
  private final byte[] fingerprint;

  /** How the record finished, as the ledger entry and the dedupe index keep it. */
  private volatile LedgerOutcome outcome = LedgerOutcome.UNKNOWN;

  /** A duplicate: finished by its event alone, no ledger entry (its original has one). */
  private boolean noLedger;

  OutcomeBatch(
      Outcomes.Shared shared,
      Delivery d,
      Job job,
      int attempt,
      Instant firstFailure,
      byte[] fingerprint) {
    this.shared = shared;
    this.d = d;
    this.job = job;
    this.attempt = attempt;
    this.firstFailure = firstFailure;
    this.fingerprint = fingerprint;
    this.now = shared.clock().instant();
  }

  /** How the record finished (the strongest of what was added: conflict, retry, dead letter). */
  public LedgerOutcome outcome() {
    return outcome;
  }

  private synchronized void finishedAs(LedgerOutcome o) {
    if (o.ordinal() > outcome.ordinal()) {
      outcome = o;
    }
  }

  /**
   * The record's job id finished before with the same content ({@code original}): nothing is sent;
   * a {@code duplicate} event names the original's position and outcome. No ledger entry.
   */
  public void duplicate(TopicPartition source, long offset, LedgerOutcome original) {
    noLedger = true;
    shared.stats().duplicate();
    event(
        "duplicate",
        e -> {
          ObjectNode o = e.putObject("original");
          o.put("topic", source.topic());
          o.put("partition", source.partition());
          o.put("offset", offset);
          o.put("outcome", original.label());
        });
  }

  public void delivered(SmtpReply reply, int recipients) {
    finishedAs(LedgerOutcome.DELIVERED);
    String relayMessageId = RelayMessageIds.fromReply(reply);
    event(
        "delivered",
        e -> {
          RecordFactory.putReply(e, reply);
          e.put("deliveredTo", recipients);
          if (relayMessageId != null) {
            e.put("relayMessageId", relayMessageId);
          }
        });
    shared.stats().delivered(d.timestamp(), now.toEpochMilli());
    shared.stats().byClass(d.jobClass(), "delivered", d.timestamp(), now.toEpochMilli());
  }

  /**
   * A failure for the job (recipients null) or for some of its recipients: retried on the ladder
   * when transient, dead-lettered otherwise.
   */
  public void failed(Failure f, Duration retryHint, List<String> recipients) {
    if (f.inDoubt()) {
      shared.stats().inDoubt();
    }
    RetryHandOff.Next next =
        shared.handOff().afterFailure(f, attempt, firstFailure, now, retryHint);
    if (next instanceof RetryHandOff.GiveUp giveUp) {
      deadLetter(giveUp.failure(), recipients);
      return;
    }
    RetryHandOff.OnLadder at = (RetryHandOff.OnLadder) next;
    shared.stats().retried(at.topic());
    shared.stats().byClass(d.jobClass(), "deferred", 0, 0);
    toLadder(
        shared.records().retry(d, at.topic(), attempt, at.first(), at.due(), f, recipients),
        "retry record",
        recipients,
        f);
    event(f.inDoubt() ? "in-doubt" : "deferred", e -> putRetry(e, f, recipients, at));
  }

  /**
   * The job is scheduled for later: it waits on the retry ladder until {@code notBefore}, without
   * counting an attempt and without holding its partition.
   */
  public void scheduled(Instant notBefore, List<String> recipients) {
    RetryHandOff.OnLadder at = shared.handOff().scheduled(notBefore, now, attempt, firstFailure);
    onLadder(at, recipients, "scheduled record");
    event(
        "scheduled",
        e -> {
          e.put("notBefore", notBefore.toString());
          e.put("retryTopic", at.topic());
        });
  }

  /**
   * The relay asked us to slow down: the job waits on the ladder without counting the first
   * throttle as an attempt (see {@link RetryHandOff#afterThrottle}), or is dead-lettered as
   * expired.
   */
  public void throttled(Failure f, Duration retryHint, List<String> recipients) {
    RetryHandOff.Next next =
        shared.handOff().afterThrottle(f, attempt, firstFailure, now, retryHint);
    if (next instanceof RetryHandOff.GiveUp giveUp) {
      deadLetter(giveUp.failure(), recipients);
      return;
    }
    RetryHandOff.OnLadder at = (RetryHandOff.OnLadder) next;
    onLadder(at, recipients, "throttled record");
    shared.stats().retried(at.topic());
    shared.stats().byClass(d.jobClass(), "deferred", 0, 0);
    event(
        "deferred",
        e -> {
          putRetry(e, f, recipients, at);
          e.put("throttled", true);
        });
  }

  /**
   * No more records: the delivery finishes when the ones added are acknowledged. When only a
   * delivery was recorded, the ledger entry goes out at once, beside the event (one round trip),
   * carrying the event: a new owner that skips the job writes the event again. After a record that
   * carries the job on (retry, scheduled, throttled, dead letter) it waits for every record (see
   * {@link #release}).
   */
  public void end() {
    if (shared.ledger() != null && !carriesJobOn && !noLedger) {
      sendLedger();
    }
    release();
  }

  /**
   * Waits until the send ledger holds this attempt (at most {@code max}), so that a lane starts its
   * next SMTP transaction only when a crash could no longer make this one be sent again. Returns at
   * once when the ledger is off.
   */
  public boolean awaitLedger(Duration max) throws InterruptedException {
    return !writesLedger() || ledgerWritten.await(max.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether this attempt has a send-ledger entry to wait for (the ledger on, the entry made). */
  public boolean writesLedger() {
    return shared.ledger() != null && !noLedger;
  }

  /** The delivery this batch records. */
  public Delivery delivery() {
    return d;
  }

  /** The job id its ledger entry carries, or null (the record did not decode). */
  public String jobId() {
    return job == null ? null : job.id();
  }

  /** The fingerprint its ledger entry carries, or null. */
  public byte[] fingerprint() {
    return fingerprint;
  }

  /** A record that holds the job on the ladder (scheduled or throttled), not an attempt's retry. */
  private void onLadder(RetryHandOff.OnLadder at, List<String> recipients, String what) {
    toLadder(
        shared.records().scheduled(d, at.topic(), at.attempts(), at.first(), at.due(), recipients),
        what,
        recipients,
        null);
  }

  /**
   * Sends a record that carries the job on along the ladder. Should its tier topic refuse it as too
   * large, resending would never succeed and would hold the partition's commit: the job is
   * dead-lettered instead ({@link #tooLargeForTier}).
   *
   * @param last the failure that sent it there, or null (scheduled)
   */
  private void toLadder(
      ProducerRecord<byte[], byte[]> record, String what, List<String> recipients, Failure last) {
    carriesJobOn = true;
    ladderRecords.incrementAndGet();
    finishedAs(LedgerOutcome.RETRY);
    send(
        record,
        what,
        new DurableSender.Instead(
            "dead-lettering its job instead",
            (refused, why) -> tooLargeForTier(refused, why, what, recipients, last),
            DurableSender.Instead.withoutPayload(RecordFactory::withoutPayload)));
  }

  /**
   * The dead letter in place of a ladder record refused as too large, by its tier topic or by the
   * worker's own producer: class permanent without a reply (ours, not the relay's: not a bounce),
   * the reason naming the limit and the setting to raise before a replay; a dead-lettered event
   * follows the earlier one.
   */
  private ProducerRecord<byte[], byte[]> tooLargeForTier(
      ProducerRecord<byte[], byte[]> refused,
      RecordTooLargeException why,
      String what,
      List<String> recipients,
      Failure last) {
    int bytes = refused.value() == null ? 0 : refused.value().length;
    String reason =
        "the "
            + what
            + " (payload "
            + bytes
            + " bytes) "
            + TooLarge.advice(refused.topic(), why)
            + (last == null ? "" : "; last failure: " + last.reason());
    Failure f = new Failure(OutcomeClass.PERMANENT, reason, null, null, false);
    synchronized (this) {
      if (ladderRecords.decrementAndGet() == 0 && outcome == LedgerOutcome.RETRY) {
        outcome = LedgerOutcome.DEAD_LETTERED; // nothing left on the ladder carries the job
      }
    }
    ProducerRecord<byte[], byte[]> dead = deadLetterRecord(f, recipients);
    deadLetteredEvent(f, recipients);
    return dead;
  }

  private static void putRetry(
      ObjectNode e, Failure f, List<String> recipients, RetryHandOff.OnLadder at) {
    RecordFactory.putFailure(e, f);
    RecordFactory.putRecipients(e, recipients);
    e.put("nextAttemptAt", at.due().toString());
    e.put("retryTopic", at.topic());
  }

  private void deadLetter(Failure f, List<String> recipients) {
    send(
        deadLetterRecord(f, recipients),
        "dead letter",
        DurableSender.Instead.withoutPayload(RecordFactory::withoutPayload));
    deadLetteredEvent(f, recipients);
  }

  /** Counts and logs a dead letter, and makes its record. */
  private ProducerRecord<byte[], byte[]> deadLetterRecord(Failure f, List<String> recipients) {
    carriesJobOn = true;
    finishedAs(
        f.outcomeClass() == OutcomeClass.CONFLICT
            ? LedgerOutcome.CONFLICT
            : LedgerOutcome.DEAD_LETTERED);
    shared.stats().deadLettered(f.outcomeClass().label());
    shared.stats().byClass(d.jobClass(), "dead-lettered", 0, 0);
    boolean suppressed = f.outcomeClass() == OutcomeClass.SUPPRESSED;
    log.info(
        "dead-lettering {} (job {}) as {}: {}",
        d,
        job == null ? "?" : job.id(),
        f.outcomeClass().label(),
        suppressed // an operator's reason is free text: it stays in the dead letter
            ? (recipients == null ? "?" : recipients.size()) + " recipients on the suppression list"
            : f.reply() == null ? f.reason() : f.reply().codes());
    Instant first = firstFailure == null ? now : firstFailure;
    return shared.records().deadLetter(d, attempt, first, now, f, recipients);
  }

  private void deadLetteredEvent(Failure f, List<String> recipients) {
    boolean suppressed = f.outcomeClass() == OutcomeClass.SUPPRESSED;
    event(
        f.inDoubt() ? "in-doubt" : suppressed ? "suppressed" : "dead-lettered",
        e -> {
          RecordFactory.putFailure(e, f);
          RecordFactory.putRecipients(e, recipients);
          e.put("deadLetterTopic", shared.records().deadLetterTopic());
        });
  }

  private void sendLedger() {
    ledgerSent = true;
    pending.incrementAndGet();
    Outcomes.LedgerTarget ledger = shared.ledger();
    ledger
        .writer()
        .append(
            RecordFactory.ledger(
                ledger.topic(),
                ledger.partitions(),
                ledger.format(),
                d,
                job,
                now,
                deliveredEvent,
                fingerprint,
                outcome),
            () -> "ledger entry for " + d,
            () -> d.owner().revoked(),
            new LedgerWriter.Written() {
              @Override
              public void acknowledged() {
                ledgerWritten.countDown(); // the lane's next final dot may go
              }

              @Override
              public void written(long ledgerOffset) {
                ledgerWritten.countDown();
                release();
              }

              @Override
              public void notWritten(String why) {
                log.warn(
                    "ledger entry for {} not written ({}); the job stays unfinished (uncommitted,"
                        + " redelivered)",
                    d,
                    why);
              }
            });
  }

  private void event(String type, Consumer<ObjectNode> details) {
    if (!shared.records().eventsOn()) {
      return;
    }
    ProducerRecord<byte[], byte[]> event =
        shared.records().event(d, job, type, attempt, now, details);
    if (type.equals("delivered")) {
      deliveredEvent = event.value(); // the ledger entry carries it (same bytes, no copy)
    }
    send(event, type + " event");
  }

  private void send(ProducerRecord<byte[], byte[]> record, String what) {
    send(record, what, (DurableSender.Instead) null);
  }

  /**
   * @param tooLarge what to write instead when Kafka refuses the record as too large, or null
   */
  private void send(
      ProducerRecord<byte[], byte[]> record, String what, DurableSender.Instead tooLarge) {
    pending.incrementAndGet();
    shared
        .sender()
        .send(record, () -> what + " for " + d, () -> d.owner().revoked(), this::release, tooLarge);
  }

  private void release() {
    if (pending.decrementAndGet() != 0) {
      return;
    }
    if (shared.ledger() != null && !ledgerSent && !noLedger) {
      sendLedger(); // every other record is safe now
      return;
    }
    shared.finished().accept(d);
  }
}
