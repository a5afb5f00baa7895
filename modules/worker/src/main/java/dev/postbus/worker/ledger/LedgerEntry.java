package dev.postbus.worker.ledger;

import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * One line of the send ledger: the record at {@code topic/partition/offset} is finished (sent, or
 * its retry or dead letter is safe in Kafka). Keyed by job id in the compacted ledger topic. A
 * delivered job's entry carries its {@code delivered} event ({@link #event}, JSON, or null): the
 * entry goes out beside the event, not after it, so a new owner that skips the record writes the
 * event again. Written as {@link LedgerCodec} says.
 */
public record LedgerEntry(
    String topic,
    int partition,
    long offset,
    String jobId,
    long atMillis,
    byte[] event,
    byte[] fingerprint,
    LedgerOutcome outcome) {

  /**
   * An entry without a fingerprint or outcome (what workers before idempotent publishing wrote: its
   * content is unknown).
   */
  public LedgerEntry(
      String topic, int partition, long offset, String jobId, long atMillis, byte[] event) {
    this(topic, partition, offset, jobId, atMillis, event, null, LedgerOutcome.UNKNOWN);
  }

  public LedgerEntry {
    outcome = outcome == null ? LedgerOutcome.UNKNOWN : outcome;
  }

  /** An entry without an event (a retry or dead letter, whose own event is already safe). */
  public LedgerEntry(String topic, int partition, long offset, String jobId, long atMillis) {
    this(topic, partition, offset, jobId, atMillis, null);
  }

  public TopicPartition source() {
    return new TopicPartition(topic, partition);
  }

  public byte[] encode() {
    return LedgerCodec.encode(this);
  }

  /**
   * Empty for a value that is not a ledger entry this worker reads (a tombstone, something written
   * by hand, a format of a newer worker); see {@link LedgerCodec#decode} for why.
   */
  public static Optional<LedgerEntry> decode(byte[] value) {
    try {
      return Optional.ofNullable(LedgerCodec.decode(value));
    } catch (IllegalArgumentException notAnEntry) {
      return Optional.empty();
    }
  }
}
