package dev.postbus.worker.ledger;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the send ledger says about the partitions this worker owns: the offsets at or after the
 * committed offset that are already finished. A worker taking a partition over after a crash skips
 * those records instead of sending them again. It reads each ledger partition from the {@link
 * LedgerMark} its commits carry (only what was written after the commit was covered), or, for a
 * commit without one (an older worker's), from now − {@code ledger.window}. Consumer thread only.
 */
public final class LedgerIndex {

  private static final Logger log = LoggerFactory.getLogger(LedgerIndex.class);

  private final LedgerReader reader;
  private final Duration window;
  private final Clock clock;
  private final LedgerPositions positions;
  private final LedgerMarks marks;
  private final Map<TopicPartition, TreeMap<Long, LedgerEntry>> finished = new HashMap<>();

  /** With positions of its own (tests: no writer tells it of acknowledged entries). */
  public LedgerIndex(LedgerReader reader, Duration window, Clock clock) {
    this(reader, window, clock, new LedgerPositions(reader.partitions()));
  }

  /**
   * @param positions how far the ledger reaches, told by this worker's writer as its entries are
   *     acknowledged
   */
  public LedgerIndex(LedgerReader reader, Duration window, Clock clock, LedgerPositions positions) {
    this.reader = reader;
    this.window = window;
    this.clock = clock;
    this.positions = positions;
    this.marks = new LedgerMarks(reader.topic(), positions);
  }

  /** The ledger topic. */
  public String topic() {
    return reader.topic();
  }

  /** The marks this worker's commits carry. */
  public LedgerMarks marks() {
    return marks;
  }

  /**
   * Where to start reading each ledger partition: the lowest mark of the commits of the sources it
   * holds, when every one of them carries a valid mark; absent (read by time) otherwise.
   */
  static Map<Integer, Long> starts(
      Map<TopicPartition, OffsetAndMetadata> committed, String ledgerTopic, int ledgerPartitions) {
    Map<Integer, Long> starts = new HashMap<>();
    java.util.Set<Integer> byTime = new java.util.HashSet<>();
    committed.forEach(
        (tp, c) -> {
          int p = LedgerReader.ledgerPartition(tp.partition(), ledgerPartitions);
          Optional<Long> mark = mark(tp, c, ledgerTopic, ledgerPartitions);
          if (mark.isEmpty()) {
            byTime.add(p);
          } else {
            starts.merge(p, mark.get(), Math::min);
          }
        });
    byTime.forEach(starts::remove);
    return starts;
  }

  /** The valid mark of this ledger each partition's commit carries (absent: none). */
  private Map<TopicPartition, Long> marked(Map<TopicPartition, OffsetAndMetadata> committed) {
    Map<TopicPartition, Long> out = new HashMap<>();
    committed.forEach(
        (tp, c) -> mark(tp, c, reader.topic(), reader.partitions()).ifPresent(m -> out.put(tp, m)));
    return out;
  }

  private static Optional<Long> mark(
      TopicPartition tp, OffsetAndMetadata c, String ledgerTopic, int ledgerPartitions) {
    int p = LedgerReader.ledgerPartition(tp.partition(), ledgerPartitions);
    return Optional.ofNullable(c)
        .flatMap(o -> LedgerMark.parse(o.metadata()))
        .filter(
            m ->
                m.topic().equals(ledgerTopic)
                    && m.partitions() == ledgerPartitions
                    && m.partition() == p)
        .map(LedgerMark::offset);
  }

  /**
   * Reads the ledger for newly assigned partitions.
   *
   * @param committed each partition's commit (null when none: it is read from offset 0)
   * @throws RuntimeException when the ledger could not be read (a timeout, Kafka unreachable): the
   *     caller sends nothing from these partitions until a read succeeds
   */
  public void load(Map<TopicPartition, OffsetAndMetadata> committed) {
    if (committed.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    Map<TopicPartition, Long> from = new HashMap<>();
    committed.forEach((tp, c) -> from.put(tp, c == null ? 0L : c.offset()));
    Map<Integer, Long> starts = starts(committed, reader.topic(), reader.partitions());
    Map<TopicPartition, long[]> pins = new HashMap<>(); // lowest ledger offset, highest source
    int[] found = new int[1];
    LedgerReader.Read read =
        reader.read(
            from,
            starts,
            clock.instant().minus(window),
            clock.instant().minus(window.multipliedBy(2)), // the topic's retention.ms
            (e, at) -> {
              if (finished.computeIfAbsent(e.source(), k -> new TreeMap<>()).put(e.offset(), e)
                  == null) {
                found[0]++;
              }
              long[] pin = pins.computeIfAbsent(e.source(), k -> new long[] {Long.MAX_VALUE, -1});
              pin[0] = Math.min(pin[0], at);
              pin[1] = Math.max(pin[1], e.offset());
            });
    remember(from, read, pins, marked(committed));
    log.info(
        "send ledger read for {} partitions in {} ms ({} of {} ledger partitions from their commit's"
            + " mark, {} entries read): {} records after the committed offsets are already finished",
        committed.size(),
        (System.nanoTime() - start) / 1_000_000,
        starts.size(),
        read.ends().size(),
        read.records(),
        found[0]);
    warnRefused(read);
  }

  /** The notes from which this worker's commits of these partitions get their marks. */
  private void remember(
      Map<TopicPartition, Long> from,
      LedgerReader.Read read,
      Map<TopicPartition, long[]> pins,
      Map<TopicPartition, Long> markedAt) {
    read.ends().forEach(positions::reached);
    from.forEach(
        (tp, c) -> {
          Long end =
              read.ends().get(LedgerReader.ledgerPartition(tp.partition(), reader.partitions()));
          if (end != null) {
            long[] pin = pins.getOrDefault(tp, new long[] {Long.MAX_VALUE, -1});
            marks.assigned(tp, c, end, pin[0], pin[1], markedAt.getOrDefault(tp, -1L));
          }
        });
  }

  private static void warnRefused(LedgerReader.Read read) {
    if (read.unknownVersion() > 0) {
      log.warn(
          "send ledger: {} entries of a format version this worker does not read were skipped (a"
              + " newer worker wrote them; upgrade this one): records they cover may be sent again",
          read.unknownVersion());
    }
    if (read.malformed() > 0) {
      log.warn("send ledger: {} malformed entries skipped", read.malformed());
    }
  }

  /**
   * The ledger's entry when it holds this record as finished (its delivered event, if any, must be
   * written again), else null; each answer is given once.
   */
  public LedgerEntry finished(TopicPartition tp, long offset) {
    TreeMap<Long, LedgerEntry> offsets = finished.get(tp);
    if (offsets == null) {
      return null;
    }
    offsets
        .headMap(offset)
        .clear(); // consumed past them: they will not come again in this assignment
    LedgerEntry hit = offsets.remove(offset);
    if (offsets.isEmpty()) {
      finished.remove(tp);
    }
    return hit;
  }

  public void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(finished::remove);
    marks.forget(partitions);
  }
}
