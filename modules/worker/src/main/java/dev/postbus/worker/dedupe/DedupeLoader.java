package dev.postbus.worker.dedupe;

import dev.postbus.worker.ledger.LedgerCodec;
import dev.postbus.worker.ledger.LedgerEntry;
import dev.postbus.worker.ledger.LedgerOutcome;
import dev.postbus.worker.ledger.LedgerReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the dedupe index of the ledger partitions a worker takes on: every entry written within
 * {@code dedupe.window}, read without an object per entry ({@link LedgerCodec#scan}); entries
 * written as JSON ({@code ledger.format=json}, or before the binary format) are decoded as they are
 * (without a fingerprint, their content unknown). Consumer thread (the assignment callback), with
 * the ledger's reader. A read that failed is done again in three steps: {@link #plan} on the
 * consumer thread, {@link #build(Plan, LedgerReader)} on another with a reader of its own, {@link
 * #apply} back on the consumer thread.
 */
public final class DedupeLoader {

  private static final Logger log = LoggerFactory.getLogger(DedupeLoader.class);

  private final LedgerReader reader;
  private final Dedupe dedupe;
  private final Clock clock;

  public DedupeLoader(LedgerReader reader, Dedupe dedupe, Clock clock) {
    this.reader = reader;
    this.dedupe = dedupe;
    this.clock = clock;
  }

  /**
   * The partitions now owned ({@code sources}), {@code taken} of them newly: the ledger partitions
   * of those taken not known yet are read whole; those known already are read again for the entries
   * about the partitions taken (another worker finished ids there that this one does not know yet),
   * which are merged into their index. The ledger partitions of the other partitions owned are not
   * read (a held one's is read again off the loop, on its own).
   *
   * @throws RuntimeException when the index could not be read: the caller sends nothing from the
   *     partitions taken until a read succeeds
   */
  public void owned(Set<TopicPartition> sources, Set<TopicPartition> taken) {
    Plan plan = plan(sources, taken);
    apply(plan, build(plan, reader));
  }

  /** Forgets the ledger partitions of no source in {@code sources} (partitions let go). */
  public void keepOnly(Set<TopicPartition> sources) {
    Set<Integer> wanted = new HashSet<>();
    sources.forEach(tp -> wanted.add(dedupe.ledgerPartition(tp)));
    dedupe.keepOnly(wanted);
  }

  /** The ledger partitions a read reads: {@code fresh} whole, the rest for {@code taken} only. */
  public record Plan(Set<Integer> read, Set<Integer> fresh, Set<TopicPartition> taken) {
    public boolean empty() {
      return read.isEmpty();
    }
  }

  /**
   * What a read for these partitions owned now, {@code taken} of them newly, reads (see {@link
   * #owned}); forgets the ledger partitions of no source owned. Consumer thread.
   */
  public Plan plan(Set<TopicPartition> sources, Set<TopicPartition> taken) {
    keepOnly(sources);
    Set<Integer> wanted = new HashSet<>();
    taken.stream().filter(sources::contains).forEach(tp -> wanted.add(dedupe.ledgerPartition(tp)));
    Set<Integer> known = dedupe.loaded();
    Set<Integer> fresh = new HashSet<>(wanted);
    fresh.removeAll(known);
    Set<Integer> read = new HashSet<>(fresh);
    taken.stream()
        .filter(sources::contains)
        .map(dedupe::ledgerPartition)
        .filter(known::contains)
        .forEach(read::add);
    return new Plan(Set.copyOf(read), Set.copyOf(fresh), Set.copyOf(taken));
  }

  /**
   * Reads a plan's ledger partitions with {@code with} (this loader's reader, or another of the
   * same topic: the read touches no index, and may run on another thread).
   */
  public Map<Integer, DedupeIndex> build(Plan plan, LedgerReader with) {
    if (plan.empty()) {
      return Map.of();
    }
    return build(
        plan.read(),
        (p, source) -> plan.fresh().contains(p) || plan.taken().contains(source),
        with);
  }

  /** Takes in what {@link #build} read for {@code plan}. */
  public void apply(Plan plan, Map<Integer, DedupeIndex> built) {
    if (plan.empty()) {
      return;
    }
    built.forEach((p, index) -> load(p, index, plan.fresh().contains(p)));
    log.info(
        "dedupe index read for {} ledger partitions ({} new, {} again for {} partitions taken"
            + " on): {} job ids finished within {}",
        plan.read().size(),
        plan.fresh().size(),
        plan.read().size() - plan.fresh().size(),
        plan.taken().size(),
        built.values().stream().mapToLong(DedupeIndex::size).sum(),
        dedupe.window());
  }

  /**
   * A partition planned whole may have been loaded since (a takeover sharing it, while a read again
   * ran off the loop): what it read then is merged, not put in place of what is known now.
   */
  private void load(int ledgerPartition, DedupeIndex index, boolean whole) {
    if (whole) {
      dedupe.loadedOrMerged(ledgerPartition, index);
    } else {
      dedupe.merge(ledgerPartition, index);
    }
  }

  /** Reads the window of these ledger partitions into new indexes. */
  public Map<Integer, DedupeIndex> build(Set<Integer> ledgerPartitions) {
    return build(ledgerPartitions, (p, source) -> true, reader);
  }

  /** Reads the window of these ledger partitions into new indexes, the entries {@code kept}. */
  private Map<Integer, DedupeIndex> build(
      Set<Integer> ledgerPartitions, BiPredicate<Integer, TopicPartition> kept, LedgerReader with) {
    Map<Integer, DedupeIndex> built = new HashMap<>();
    ledgerPartitions.forEach(p -> built.put(p, new DedupeIndex(dedupe.window())));
    Adder adder = new Adder(kept);
    with.scanSince(
        ledgerPartitions,
        clock.instant().minus(dedupe.window()),
        (p, value) -> adder.add(p, built.get(p), value));
    return built;
  }

  /** Adds one value to an index; one instance per read, reused for every entry. */
  private static final class Adder {
    private final LedgerCodec.Scanned s = new LedgerCodec.Scanned();
    private final Map<String, Map<Integer, TopicPartition>> sources = new HashMap<>();
    private final BiPredicate<Integer, TopicPartition> kept;

    Adder(BiPredicate<Integer, TopicPartition> kept) {
      this.kept = kept;
    }

    void add(int ledgerPartition, DedupeIndex index, byte[] value) {
      try {
        if (LedgerCodec.scan(value, s)) {
          TopicPartition source =
              source(
                  new String(value, s.topicStart, s.topicLength, StandardCharsets.UTF_8),
                  s.partition);
          if (kept.test(ledgerPartition, source)) {
            index.add(
                Fingerprints.idHash(value, s.idStart, s.idLength),
                Fingerprints.head(value, s.fingerprintStart, s.fingerprintLength),
                source,
                s.offset,
                s.outcome,
                s.atMillis);
          }
        } else if (value != null && value.length > 0 && value[0] == '{') {
          LedgerEntry.decode(value)
              .filter(e -> e.jobId() != null && kept.test(ledgerPartition, e.source()))
              .ifPresent(e -> addOld(index, e));
        }
      } catch (IllegalArgumentException notAnEntry) {
        // a newer format or a malformed value: the ledger read of the takeover counts them
      }
    }

    private void addOld(DedupeIndex index, LedgerEntry e) {
      LedgerOutcome outcome = e.outcome();
      if (outcome == LedgerOutcome.UNKNOWN && e.event() != null) {
        outcome = LedgerOutcome.DELIVERED;
      }
      index.add(
          Fingerprints.idHash(e.jobId()),
          Fingerprints.head(e.fingerprint()),
          e.source(),
          e.offset(),
          outcome,
          e.atMillis());
    }

    /** One TopicPartition per source, not one per entry. */
    private TopicPartition source(String topic, int partition) {
      return sources
          .computeIfAbsent(topic, t -> new HashMap<>())
          .computeIfAbsent(partition, p -> new TopicPartition(topic, p));
    }
  }
}
