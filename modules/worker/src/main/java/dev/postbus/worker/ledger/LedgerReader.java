package dev.postbus.worker.ledger;

import dev.postbus.kafka.Start;
import dev.postbus.kafka.TopicScan;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the send ledger with a consumer of its own (assigned, no group). Ledger partition {@code p
 * mod n} holds the entries of partition {@code p} of every consumed topic. Each ledger partition is
 * read from a given offset (the {@link LedgerMark} of the commits), or from a point in time (now −
 * ledger.window) when none is given, to its end; a given offset older than what the topic's
 * retention keeps (2 × ledger.window) is read from the first entry kept; only entries about records
 * at or after their partition's committed offset are handed on, so the heap holds what can matter
 * and nothing else.
 */
public final class LedgerReader implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final int partitions;

  public LedgerReader(Consumer<byte[], byte[]> consumer, String topic, int partitions) {
    this.consumer = consumer;
    this.topic = topic;
    this.partitions = partitions;
  }

  /** The ledger partition that holds entries of records from partition {@code sourcePartition}. */
  public static int ledgerPartition(int sourcePartition, int ledgerPartitions) {
    return sourcePartition % ledgerPartitions;
  }

  public String topic() {
    return topic;
  }

  public int partitions() {
    return partitions;
  }

  /** What a read found besides the entries it handed on. */
  public record Read(Map<Integer, Long> ends, long records, long unknownVersion, long malformed) {}

  /** Receives an entry that matters, with its offset in the ledger. */
  public interface Found {
    void entry(LedgerEntry entry, long ledgerOffset);
  }

  /**
   * Every entry about a record of {@code committed}'s partitions at or after its committed offset.
   *
   * @param starts where to start in each ledger partition (the lowest mark of its sources' commits,
   *     however old: an entry written long ago may be about a record still uncommitted); a ledger
   *     partition not in it is read from the first entry written at or after {@code since}
   * @param kept since when the ledger topic's retention keeps entries: no start is earlier than the
   *     first entry written at or after it (older ones may be gone, and scanning the whole topic
   *     for them would find nothing)
   */
  public Read read(
      Map<TopicPartition, Long> committed,
      Map<Integer, Long> starts,
      Instant since,
      Instant kept,
      Found found) {
    Map<TopicPartition, Long> from = new HashMap<>();
    for (TopicPartition s : committed.keySet()) {
      int p = ledgerPartition(s.partition(), partitions);
      from.put(new TopicPartition(topic, p), starts.getOrDefault(p, -1L));
    }
    Map<TopicPartition, Long> ends = consumer.endOffsets(from.keySet(), TIMEOUT);
    Map<TopicPartition, Long> windowStarts = firstSince(unmarked(from, true), ends, since);
    Map<TopicPartition, Long> keptStarts = firstSince(unmarked(from, false), ends, kept);
    from.replaceAll(
        (tp, start) -> start < 0 ? windowStarts.get(tp) : Math.max(start, keptStarts.get(tp)));
    // A mark past the end (the topic made again): from the end.
    from.replaceAll((tp, start) -> Math.min(start, ends.getOrDefault(tp, start)));
    long[] refused = new long[2];
    long records =
        new TopicScan(consumer, TIMEOUT)
            .read(
                from.keySet(),
                Start.offsets(from),
                r -> {
                  LedgerEntry e = decode(r.value(), refused);
                  if (e != null) {
                    Long c = committed.get(e.source());
                    if (c != null && e.offset() >= c) {
                      found.entry(e, r.offset());
                    }
                  }
                  return TopicScan.Step.NEXT;
                });
    consumer.assign(List.of());
    Map<Integer, Long> byPartition = new HashMap<>();
    ends.forEach((tp, end) -> byPartition.put(tp.partition(), end));
    return new Read(byPartition, records, refused[0], refused[1]);
  }

  /** Receives each value of a {@link #scanSince} read, with its ledger partition. */
  public interface Raw {
    void value(int ledgerPartition, byte[] value);
  }

  /**
   * Every value of these ledger partitions written at or after {@code since}, to their end as of
   * now; returns how many were read.
   */
  public long scanSince(java.util.Set<Integer> ledgerPartitions, Instant since, Raw raw) {
    java.util.Set<TopicPartition> tps = new java.util.HashSet<>();
    ledgerPartitions.forEach(p -> tps.add(new TopicPartition(topic, p)));
    if (tps.isEmpty()) {
      return 0;
    }
    Map<TopicPartition, Long> ends = consumer.endOffsets(tps, TIMEOUT);
    Map<TopicPartition, Long> from = firstSince(tps, ends, since);
    long records =
        new TopicScan(consumer, TIMEOUT)
            .read(
                tps,
                Start.offsets(from),
                r -> {
                  raw.value(r.partition(), r.value());
                  return TopicScan.Step.NEXT;
                });
    consumer.assign(List.of());
    return records;
  }

  /** The ledger partitions of {@code from} without a start ({@code without}) or with one. */
  private static java.util.Set<TopicPartition> unmarked(
      Map<TopicPartition, Long> from, boolean without) {
    java.util.Set<TopicPartition> out = new java.util.HashSet<>();
    from.forEach(
        (tp, start) -> {
          if ((start < 0) == without) {
            out.add(tp);
          }
        });
    return out;
  }

  /** Per ledger partition: the first entry written at or after {@code since} (its end if none). */
  private Map<TopicPartition, Long> firstSince(
      java.util.Set<TopicPartition> partitions, Map<TopicPartition, Long> ends, Instant since) {
    Map<TopicPartition, Long> out = new HashMap<>();
    if (partitions.isEmpty()) {
      return out;
    }
    Map<TopicPartition, Long> query = new HashMap<>();
    partitions.forEach(tp -> query.put(tp, Math.max(0, since.toEpochMilli())));
    Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, TIMEOUT);
    for (TopicPartition tp : partitions) {
      OffsetAndTimestamp o = found.get(tp);
      out.put(tp, o == null ? ends.getOrDefault(tp, 0L) : o.offset());
    }
    return out;
  }

  /** The entry, or null (counting an unknown version in refused[0], anything else in [1]). */
  private static LedgerEntry decode(byte[] value, long[] refused) {
    try {
      return LedgerCodec.decode(value);
    } catch (LedgerCodec.UnknownVersion e) {
      refused[0]++;
    } catch (IllegalArgumentException e) {
      refused[1]++;
    }
    return null;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
