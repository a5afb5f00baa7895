package dev.postbus.worker.outcome;

import dev.postbus.job.Job;
import dev.postbus.worker.config.InDoubtPolicy;
import dev.postbus.worker.config.LedgerFormat;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.ledger.LedgerEntry;
import dev.postbus.worker.ledger.LedgerWriter;
import dev.postbus.worker.retry.RetryPolicy;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Turns how an attempt ended into records: a delivered event; a retry record on the ladder plus a
 * deferred event; or a dead letter plus a dead-lettered event. One attempt can end several ways at
 * once (a partial send): each attempt's records are one {@link OutcomeBatch}, and the delivery
 * counts as finished, its offset may be committed, only when Kafka has acknowledged every one of
 * them. Also writes again the event of a record skipped through the send ledger.
 */
public final class Outcomes {

  /** What every batch of a worker shares. */
  record Shared(
      DurableSender sender,
      RecordFactory records,
      RetryHandOff handOff,
      OutcomeListener stats,
      Consumer<Delivery> finished,
      Clock clock,
      LedgerTarget ledger) {}

  /** Where the send ledger's entries go, and how they are written. */
  record LedgerTarget(String topic, int partitions, LedgerFormat format, LedgerWriter writer) {}

  private volatile Shared shared;
  private final String jobsTopic;

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
    this.jobsTopic = jobsTopic;
    this.shared =
        new Shared(
            sender,
            new RecordFactory(deadLetterTopic, eventsTopic, workerId),
            new RetryHandOff(ladder, inDoubtPolicy, jobsTopic),
            stats,
            finished,
            clock,
            null);
  }

  /** Who counts the outcomes (and the lanes' send attempts). */
  public OutcomeListener stats() {
    return shared.stats();
  }

  /**
   * Writes a send-ledger entry for every finished record (set before the lanes start). A delivery's
   * entry goes out beside its event and carries it; after a retry or dead letter it is written only
   * once every other record of the attempt is acknowledged, so the ledger never calls a job
   * finished whose retry or dead letter could still be lost.
   */
  public void useLedger(String topic, int partitions, LedgerFormat format, LedgerWriter writer) {
    Shared s = shared;
    shared =
        new Shared(
            s.sender(),
            s.records(),
            s.handOff(),
            s.stats(),
            s.finished(),
            s.clock(),
            new LedgerTarget(topic, partitions, format, writer));
  }

  /**
   * A lane is about to end a message (its final dot): its ledger entry is coming, and the writer
   * may hold the entries it has for it (group commit).
   */
  public void ledgerEntryComing() {
    LedgerTarget ledger = shared.ledger();
    if (ledger != null) {
      ledger.writer().expect();
    }
  }

  /**
   * Writes again the {@code delivered} event a send-ledger entry carries, for a record a new owner
   * skips through the ledger (the worker that sent it may have died before Kafka had the event):
   * the same event, same job id and attempt; consumers dedupe terminal events by job id and
   * attempt. The record is finished once Kafka has the event; without an events topic, at once.
   */
  public void rewriteDelivered(Delivery d, LedgerEntry entry) {
    Shared s = shared;
    ProducerRecord<byte[], byte[]> record = s.records().eventAgain(entry);
    if (record == null) {
      s.finished().accept(d);
      return;
    }
    s.sender()
        .send(
            record,
            () -> "delivered event (again, after a ledger skip) for " + d,
            () -> d.owner().revoked(),
            () -> s.finished().accept(d));
  }

  /**
   * Starts recording the end of one attempt.
   *
   * @param job the decoded job, or null when it could not be decoded
   * @param attempt the number of this attempt (1 for the first)
   * @param firstFailure when an earlier attempt first failed, or null
   */
  public OutcomeBatch begin(Delivery d, Job job, int attempt, Instant firstFailure) {
    return begin(d, job, attempt, firstFailure, null);
  }

  /**
   * @param fingerprint of the record's value, kept in its ledger entry (null: none)
   */
  public OutcomeBatch begin(
      Delivery d, Job job, int attempt, Instant firstFailure, byte[] fingerprint) {
    ClassMismatch.check(d, job, jobsTopic, shared.stats());
    return new OutcomeBatch(shared, d, job, attempt, firstFailure, fingerprint);
  }
}
