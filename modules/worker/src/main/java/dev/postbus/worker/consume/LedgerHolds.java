package dev.postbus.worker.consume;

import dev.postbus.worker.dedupe.DedupeIndex;
import dev.postbus.worker.dedupe.DedupeLoader;
import dev.postbus.worker.ledger.LedgerIndex;
import dev.postbus.worker.ledger.LedgerReader;
import dev.postbus.worker.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partitions taken over whose send ledger or dedupe index could not be read (or whose committed
 * offsets could not be, to read the ledger from): nothing is sent from them, as the records the
 * ledger holds as finished (and the job ids finished within dedupe.window) are not known. They stay
 * paused ({@link Pauses}) and are read again every {@link #RETRY}, not in the rebalance callback:
 * the committed offsets on the loop (at most {@link #COMMITTED_TIMEOUT}), the ledger then the
 * dedupe index off it ({@link HeldReads}), one ledger partition at a time, the loop taking in the
 * result of each read once it is done: a ledger partition that cannot be read holds only the
 * partitions whose entries it holds. Consumer thread only.
 */
final class LedgerHolds {

  private static final Logger log = LoggerFactory.getLogger(ConsumeLoop.class);

  /** The wait between two reads of a held partition's ledger. */
  static final Duration RETRY = Duration.ofSeconds(10);

  /** How long the loop waits for the committed offsets of held partitions, per read again. */
  static final Duration COMMITTED_TIMEOUT = Duration.ofSeconds(1);

  private final Consumer<byte[], byte[]> consumer;
  private final HeldReads reads = new HeldReads();
  private final Map<TopicPartition, OffsetAndMetadata> unread = new HashMap<>(); // null: none
  private final Set<TopicPartition> commitUnknown = new HashSet<>();
  private final Set<TopicPartition> dedupeUnread = new HashSet<>();
  private Ticker ticker = Ticker.SYSTEM;
  private LedgerIndex index;
  private DedupeLoader dedupe;
  private long nextRead;
  private volatile int size;
  private final List<ReadAgain> running = new ArrayList<>(); // empty: none under way

  /**
   * A read again under way, of one ledger partition: what it reads, and whether a partition of it
   * was let go since.
   */
  private static final class ReadAgain {
    final Set<TopicPartition> ledger;
    final DedupeLoader.Plan plan; // null: no dedupe index read
    final Set<TopicPartition> dedupe;
    CompletableFuture<Result> result;
    boolean stale;

    ReadAgain(Set<TopicPartition> ledger, DedupeLoader.Plan plan, Set<TopicPartition> dedupe) {
      this.ledger = ledger;
      this.plan = plan;
      this.dedupe = dedupe;
    }

    Set<TopicPartition> partitions() {
      Set<TopicPartition> all = new HashSet<>(ledger);
      all.addAll(dedupe);
      return all;
    }
  }

  private record Result(LedgerIndex.Loaded ledger, Map<Integer, DedupeIndex> dedupe) {}

  LedgerHolds(Consumer<byte[], byte[]> consumer) {
    this.consumer = consumer;
  }

  void use(LedgerIndex index) {
    this.index = index;
    reads.takeoverReader(index.reader());
  }

  void useDedupe(DedupeLoader dedupe) {
    this.dedupe = dedupe;
  }

  /** Where a held partition's ledger is read again (off the loop); unset: on it (tests). */
  void readWith(Supplier<LedgerReader> readers) {
    reads.readWith(readers);
  }

  void timeWith(Ticker source) {
    this.ticker = source;
  }

  /** Reads the ledger for partitions just assigned; those it could not read are held. */
  void read(Map<TopicPartition, OffsetAndMetadata> committed) {
    try {
      index.load(committed);
    } catch (RuntimeException e) {
      unread.putAll(committed);
      held("send ledger could not be read", committed.keySet(), e);
    }
  }

  /** Partitions assigned whose committed offsets could not be read: their ledger is read later. */
  void commitUnknown(Collection<TopicPartition> partitions, RuntimeException e) {
    commitUnknown.addAll(partitions);
    held(
        "committed offsets (from which their send ledger is read) could not be read",
        partitions,
        e);
  }

  /**
   * Partitions assigned, held already (their ledger or commits not read), whose dedupe index is not
   * read in the callback: it is read again with their ledger.
   */
  void dedupeLater(Collection<TopicPartition> partitions) {
    dedupeUnread.addAll(partitions);
    size = held().size();
  }

  /** Partitions assigned whose dedupe index could not be read: it is read later. */
  void dedupeUnread(Collection<TopicPartition> partitions, RuntimeException e) {
    dedupeUnread.addAll(partitions);
    held("dedupe index could not be read", partitions, e);
  }

  private void held(String what, Collection<TopicPartition> partitions, RuntimeException e) {
    nextRead = ticker.read() + RETRY.toNanos();
    size = held().size();
    log.warn(
        "{} for {} ({}): nothing is sent from them, they stay paused and are read again every {}"
            + " s; check the leaders of {} and of the group's coordinator, and the worker's access"
            + " to them",
        what,
        partitions,
        e.getMessage(),
        RETRY.toSeconds(),
        index.topic());
  }

  /**
   * On the loop: takes in a read again that is done, and starts the next when it is time; {@code
   * sources}: the partitions owned whose dedupe index is kept.
   */
  void retryDue(Set<TopicPartition> sources) {
    running.removeIf(
        r -> {
          if (!r.result.isDone()) {
            return false;
          }
          finish(r);
          return true;
        });
    if (!running.isEmpty()) {
      return;
    }
    if (size == 0) {
      reads.close();
      return;
    }
    if (ticker.read() - nextRead < 0) {
      return;
    }
    nextRead = ticker.read() + RETRY.toNanos();
    readCommits();
    if (unread.isEmpty() && dedupeUnread.isEmpty()) {
      return;
    }
    Map<Integer, Set<TopicPartition>> byLedgerPartition = new TreeMap<>();
    held()
        .forEach(
            tp ->
                byLedgerPartition
                    .computeIfAbsent(
                        LedgerReader.ledgerPartition(tp.partition(), index.reader().partitions()),
                        p -> new HashSet<>())
                    .add(tp));
    byLedgerPartition.values().forEach(partitions -> start(partitions, sources));
  }

  /** Starts a read again of these partitions, of one ledger partition. */
  private void start(Set<TopicPartition> partitions, Set<TopicPartition> sources) {
    Map<TopicPartition, OffsetAndMetadata> ledger = new HashMap<>();
    unread.forEach(
        (tp, c) -> {
          if (partitions.contains(tp)) {
            ledger.put(tp, c);
          }
        });
    Set<TopicPartition> unreadDedupe = new HashSet<>(dedupeUnread);
    unreadDedupe.retainAll(partitions);
    if (ledger.isEmpty() && unreadDedupe.isEmpty()) {
      return; // their committed offsets are not read yet
    }
    DedupeLoader.Plan plan =
        dedupe == null || unreadDedupe.isEmpty() ? null : dedupe.plan(sources, unreadDedupe);
    ReadAgain r = new ReadAgain(ledger.keySet(), plan, Set.copyOf(unreadDedupe));
    LedgerIndex i = index;
    DedupeLoader d = dedupe;
    r.result =
        reads.start(
            reader ->
                new Result(
                    i.read(reader, ledger), plan == null ? Map.of() : d.build(plan, reader)));
    running.add(r);
  }

  /** The committed offsets not read yet, on the loop, briefly: a failure is tried again later. */
  private void readCommits() {
    if (commitUnknown.isEmpty()) {
      return;
    }
    try {
      if (consumer == null) {
        throw new IllegalStateException("no consumer to read the committed offsets with");
      }
      Map<TopicPartition, OffsetAndMetadata> c =
          consumer.committed(Set.copyOf(commitUnknown), COMMITTED_TIMEOUT);
      commitUnknown.forEach(tp -> unread.put(tp, c.get(tp)));
      commitUnknown.clear();
    } catch (RuntimeException e) {
      held("committed offsets still could not be read", Set.copyOf(commitUnknown), e);
    }
  }

  /** Takes in a read again, unless a partition it read was let go meanwhile (then read again). */
  private void finish(ReadAgain r) {
    if (r.stale) {
      nextRead = ticker.read();
      return;
    }
    Result result;
    try {
      result = r.result.join();
    } catch (CompletionException e) {
      RuntimeException cause =
          e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e);
      held("send ledger still could not be read", r.partitions(), cause);
      return;
    }
    index.apply(result.ledger());
    if (r.plan != null) {
      dedupe.apply(r.plan, result.dedupe());
    }
    Set<TopicPartition> before = held();
    r.ledger.forEach(unread::remove);
    dedupeUnread.removeAll(r.dedupe);
    size = held().size();
    before.removeAll(held());
    if (!before.isEmpty()) {
      log.info("send ledger read for {}; sending from them again", before);
    }
  }

  /** True while nothing may be sent from {@code tp}. */
  boolean holds(TopicPartition tp) {
    return size > 0
        && (unread.containsKey(tp) || commitUnknown.contains(tp) || dedupeUnread.contains(tp));
  }

  /** The partitions held now (they stay paused). */
  Set<TopicPartition> held() {
    Set<TopicPartition> all = new HashSet<>(unread.keySet());
    all.addAll(commitUnknown);
    all.addAll(dedupeUnread);
    return all;
  }

  /** How many partitions are held now; any thread. */
  int size() {
    return size;
  }

  /** Partitions let go: no hold of theirs is kept, and a read again of theirs is dropped. */
  void forget(Collection<TopicPartition> partitions) {
    running.stream()
        .filter(r -> partitions.stream().anyMatch(r.partitions()::contains))
        .forEach(r -> r.stale = true);
    partitions.forEach(unread::remove);
    commitUnknown.removeAll(partitions);
    dedupeUnread.removeAll(partitions);
    size = held().size();
  }

  /** At shutdown: the read again's thread and reader end. */
  void close() {
    reads.close();
  }
}
