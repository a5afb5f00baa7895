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

  /** The reader of the takeovers (consumer thread only). */
  public LedgerReader reader() {
    return reader;
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
    apply(read(reader, committed));
  }

  /** What one read of the ledger found, to be taken in by {@link #apply}. */
  public static final class Loaded {
    private final Map<TopicPartition, OffsetAndMetadata> committed;
    private final Map<TopicPartition, Long> from = new HashMap<>();
    private final Map<TopicPartition, TreeMap<Long, LedgerEntry>> entries = new HashMap<>();
    private final Map<TopicPartition, long[]> pins =
        new HashMap<>(); // lowest ledger, highest source
    private final long startNanos = System.nanoTime();
    private int starts;
    private LedgerReader.Read read;

    private Loaded(Map<TopicPartition, OffsetAndMetadata> committed) {
      this.committed = new HashMap<>(committed);
    }

    /** The partitions read. */
    public java.util.Set<TopicPartition> partitions() {
      return committed.keySet();
    }

    private void found(LedgerEntry e, long at) {
      entries.computeIfAbsent(e.source(), k -> new TreeMap<>()).put(e.offset(), e);
      long[] pin = pins.computeIfAbsent(e.source(), k -> new long[] {Long.MAX_VALUE, -1});
      pin[0] = Math.min(pin[0], at);
      pin[1] = Math.max(pin[1], e.offset());
    }
  }

  /**
   * Reads the ledger for newly assigned partitions with {@code reader} (this index's, or another of
   * the same topic: the read touches nothing of this index, and may run on another thread).
   *
   * @throws RuntimeException when the ledger could not be read
   */
  public Loaded read(LedgerReader reader, Map<TopicPartition, OffsetAndMetadata> committed) {
    Loaded loaded = new Loaded(committed);
    if (committed.isEmpty()) {
      return loaded;
    }
    committed.forEach((tp, c) -> loaded.from.put(tp, c == null ? 0L : c.offset()));
    Map<Integer, Long> starts = starts(committed, reader.topic(), reader.partitions());
    loaded.starts = starts.size();
    loaded.read =
        reader.read(
            loaded.from,
            starts,
            clock.instant().minus(window),
            clock.instant().minus(window.multipliedBy(2)), // the topic's retention.ms
            loaded::found);
    return loaded;
  }

  /** Takes in what a {@link #read} found; consumer thread. */
  public void apply(Loaded loaded) {
    if (loaded.read == null) {
      return;
    }
    int found = 0;
    for (Map.Entry<TopicPartition, TreeMap<Long, LedgerEntry>> e : loaded.entries.entrySet()) {
      TreeMap<Long, LedgerEntry> known = finished.computeIfAbsent(e.getKey(), k -> new TreeMap<>());
      for (LedgerEntry entry : e.getValue().values()) {
        if (known.put(entry.offset(), entry) == null) {
          found++;
        }
      }
    }
    remember(loaded.from, loaded.read, loaded.pins, marked(loaded.committed));
    log.info(
        "send ledger read for {} partitions in {} ms ({} of {} ledger partitions from their commit's"
            + " mark, {} entries read): {} records after the committed offsets are already finished",
        loaded.committed.size(),
        (System.nanoTime() - loaded.startNanos) / 1_000_000,
        loaded.starts,
        loaded.read.ends().size(),
        loaded.read.records(),
        found);
    warnRefused(loaded.read);
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
