package dev.postbus.worker.consume;

import dev.postbus.worker.ledger.LedgerIndex;
import dev.postbus.worker.time.Ticker;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partitions taken over whose send ledger could not be read (or whose committed offsets could not
 * be, to read it from): nothing is sent from them, as the records the ledger holds as finished are
 * not known. They stay paused ({@link Pauses}) and are read again on the consume loop every {@link
 * #RETRY}, not in the rebalance callback, until a read succeeds. Consumer thread only.
 */
final class LedgerHolds {

  private static final Logger log = LoggerFactory.getLogger(ConsumeLoop.class);

  /** The wait between two reads of a held partition's ledger. */
  static final Duration RETRY = Duration.ofSeconds(10);

  private final Consumer<byte[], byte[]> consumer;
  private final Map<TopicPartition, OffsetAndMetadata> unread = new HashMap<>(); // null: none
  private final Set<TopicPartition> commitUnknown = new HashSet<>();
  private Ticker ticker = Ticker.SYSTEM;
  private LedgerIndex index;
  private long nextRead;
  private volatile int size;

  LedgerHolds(Consumer<byte[], byte[]> consumer) {
    this.consumer = consumer;
  }

  void use(LedgerIndex index) {
    this.index = index;
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

  private void held(String what, Collection<TopicPartition> partitions, RuntimeException e) {
    nextRead = ticker.read() + RETRY.toNanos();
    size = unread.size() + commitUnknown.size();
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

  /** On the loop: reads the held partitions' ledger again when it is time. */
  void retryDue() {
    if (size == 0 || ticker.read() - nextRead < 0) {
      return;
    }
    Set<TopicPartition> partitions = new HashSet<>(unread.keySet());
    partitions.addAll(commitUnknown);
    try {
      if (!commitUnknown.isEmpty() && consumer == null) {
        throw new IllegalStateException("no consumer to read the committed offsets with");
      }
      if (!commitUnknown.isEmpty()) {
        Map<TopicPartition, OffsetAndMetadata> c =
            consumer.committed(Set.copyOf(commitUnknown), OffsetCommits.TIMEOUT);
        commitUnknown.forEach(tp -> unread.put(tp, c.get(tp)));
        commitUnknown.clear();
      }
      index.load(new HashMap<>(unread));
      unread.clear();
      size = 0;
      log.info("send ledger read for {}; sending from them again", partitions);
    } catch (RuntimeException e) {
      held("send ledger still could not be read", partitions, e);
    }
  }

  /** True while nothing may be sent from {@code tp}. */
  boolean holds(TopicPartition tp) {
    return size > 0 && (unread.containsKey(tp) || commitUnknown.contains(tp));
  }

  /** The partitions held now (they stay paused). */
  Set<TopicPartition> held() {
    if (size == 0) {
      return Set.of();
    }
    Set<TopicPartition> all = new HashSet<>(unread.keySet());
    all.addAll(commitUnknown);
    return all;
  }

  /** How many partitions are held now; any thread. */
  int size() {
    return size;
  }

  /** Partitions let go: no hold of theirs is kept. */
  void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(unread::remove);
    commitUnknown.removeAll(partitions);
    size = unread.size() + commitUnknown.size();
  }
}
