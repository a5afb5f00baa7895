package dev.postbus.worker.ledger;

import java.util.Optional;

/**
 * What a worker writes in the metadata of an offset commit (OffsetAndMetadata.metadata): every
 * send-ledger entry about a record at or after the committed offset is at or after {@code offset}
 * in ledger partition {@code partition} of {@code topic} (which had {@code partitions} partitions).
 * A new owner starts its takeover read there instead of a whole {@code ledger.window} back.
 *
 * <p>Written as {@code postbus.ledger:1:<topic>:<partitions>:<partition>:<offset>} (a topic name
 * holds no colon); a few dozen bytes, far under the broker's offset.metadata.max.bytes (4 KiB).
 */
public record LedgerMark(String topic, int partitions, int partition, long offset) {

  private static final String PREFIX = "postbus.ledger:1:";

  public LedgerMark {
    if (topic == null || topic.isEmpty() || topic.contains(":")) {
      throw new IllegalArgumentException("ledger topic must be a topic name, was " + topic);
    }
    if (partitions < 1 || partition < 0 || partition >= partitions || offset < 0) {
      throw new IllegalArgumentException(
          "ledger mark out of range: partition "
              + partition
              + " of "
              + partitions
              + ", offset "
              + offset);
    }
  }

  public String format() {
    return PREFIX + topic + ":" + partitions + ":" + partition + ":" + offset;
  }

  /**
   * The mark a commit's metadata holds; empty for none (a commit of an older worker, or of a worker
   * without the ledger) and for anything else written there.
   */
  public static Optional<LedgerMark> parse(String metadata) {
    if (metadata == null || !metadata.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String[] f = metadata.substring(PREFIX.length()).split(":", -1);
    if (f.length != 4) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new LedgerMark(
              f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3])));
    } catch (IllegalArgumentException garbage) { // NumberFormatException too
      return Optional.empty();
    }
  }
}
