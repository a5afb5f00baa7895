package dev.postbus.worker.consume;

import dev.postbus.smtp.TraceOnly;
import dev.postbus.worker.dedupe.DedupeLoader;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.DispatchQueue;
import dev.postbus.worker.ledger.LedgerEntry;
import dev.postbus.worker.ledger.LedgerIndex;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the send ledger holds as finished before a crash (sent, or their retry or dead letter
 * safe) are skipped, not sent again; a skipped delivery's event is written again, at least once,
 * and the record is finished when Kafka has it. Consumer thread only, but the rewrite, a producer
 * send that may block for max.block.ms, runs on a thread of ours.
 */
final class LedgerSkips implements RebalanceTime.Reads {

  private static final Logger log = LoggerFactory.getLogger(ConsumeLoop.class);

  private final BlockingQueue<Delivery> finished;
  private final DispatchQueue queue;
  private final LedgerHolds holds;

  /** Rewrites not settled yet: their payloads count in the queue's byte bound. */
  private final Set<Delivery> rewriting = ConcurrentHashMap.newKeySet();

  private LedgerIndex index;
  private DedupeLoader dedupe;
  private Runnable onSkip = () -> {};
  private BiConsumer<Delivery, LedgerEntry> rewriteEvent;
  private Executor rewrites;

  /**
   * @param finished the mailbox where a record whose rewrite failed unexpectedly is finished
   * @param queue whose byte bound counts the payloads of rewrites in flight
   */
  LedgerSkips(BlockingQueue<Delivery> finished, DispatchQueue queue) {
    this(finished, queue, null);
  }

  /**
   * @param consumer the loop's consumer, which reads again the committed offsets a takeover could
   *     not read (null: not read again)
   */
  LedgerSkips(
      BlockingQueue<Delivery> finished,
      DispatchQueue queue,
      org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer) {
    this.finished = finished;
    this.queue = queue;
    this.holds = new LedgerHolds(consumer);
  }

  void use(
      LedgerIndex index,
      Runnable onSkip,
      BiConsumer<Delivery, LedgerEntry> rewriteEvent,
      Executor rewrites) {
    this.index = index;
    this.holds.use(index);
    this.onSkip = onSkip;
    this.rewriteEvent = rewriteEvent;
    this.rewrites = rewrites;
  }

  void useDedupe(DedupeLoader dedupe) {
    this.dedupe = dedupe;
    this.holds.useDedupe(dedupe);
  }

  /**
   * Where the ledger (and dedupe index) of held partitions is read again: readers of their own,
   * used on a thread of their own, not the consumer thread's.
   */
  void readHeldWith(java.util.function.Supplier<dev.postbus.worker.ledger.LedgerReader> readers) {
    holds.readWith(readers);
  }

  /** True when the ledger is read at all. */
  boolean on() {
    return index != null;
  }

  @Override
  public boolean ledger() {
    return on();
  }

  @Override
  public boolean dedupe() {
    return dedupe != null;
  }

  /** True when the record (tracked already) is finished in the ledger: it is skipped. */
  boolean skipped(Delivery d) {
    LedgerEntry done = index == null ? null : index.finished(d.partition(), d.offset());
    if (done == null) {
      return false;
    }
    onSkip.run();
    if (done.event() == null) {
      d.owner().complete(d.offset());
    } else {
      rewriting.add(d);
      queue.holdAside(d); // until finished or let go: fetching pauses while too much is held
      rewrite(d, done); // at least once; finished when Kafka has it
    }
    return true;
  }

  /**
   * Writes again the delivered event of a record the ledger skips, on a thread of ours: the send
   * may block for max.block.ms (the events topic's metadata missing), and the consumer thread must
   * go on polling. A partition let go meanwhile gets it back unwritten (its next owner skips the
   * record and writes the event).
   */
  private void rewrite(Delivery d, LedgerEntry done) {
    try {
      rewrites.execute(
          () -> {
            if (d.owner().releasing()) {
              d.owner().handBack(d.offset());
              settle(d);
            } else {
              rewriteOrFinish(d, done);
            }
          });
    } catch (RejectedExecutionException stopping) {
      d.owner().handBack(d.offset()); // uncommitted: the next owner skips it and writes the event
      settle(d);
    }
  }

  /**
   * The executor (a ScheduledThreadPoolExecutor) would keep what the task throws in a future nobody
   * reads. A rewrite that throws is a bug, and would throw again for every owner: handing the
   * record back would stall its partition's commits for good (and with them what a crash redelivers
   * past the ledger's window). The mail is sent (the ledger says so): the record is finished, and
   * the one copy of its event not written again is logged, naming it.
   */
  private void rewriteOrFinish(Delivery d, LedgerEntry done) {
    try {
      rewriteEvent.accept(d, done);
    } catch (RuntimeException | Error e) {
      log.error(
          "unexpected error writing again the delivered event of {} (skipped: the send ledger holds"
              + " it as sent); the record is finished without it",
          d,
          TraceOnly.of(e)); // its message can quote the payload
      finished.add(d);
    }
  }

  /**
   * Reads the ledger of newly assigned partitions from their commits (null: none); those whose read
   * fails, and those whose commits could not be read ({@link #commitUnknown}), are held.
   */
  void readLedger(Map<TopicPartition, OffsetAndMetadata> committed) {
    if (index == null) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> known = new java.util.HashMap<>(committed);
    known.keySet().removeIf(holds::holds);
    if (!known.isEmpty()) {
      holds.read(known);
    }
  }

  /**
   * The committed offsets of these partitions just assigned could not be read: they are held, and
   * their commits and ledger read on the loop (not read by time, whole, in the callback).
   */
  void commitUnknown(Collection<TopicPartition> partitions, RuntimeException e) {
    if (index != null) {
      holds.commitUnknown(partitions, e);
    }
  }

  /** True while nothing may be sent from {@code tp}: its ledger is not read yet. */
  boolean holds(TopicPartition tp) {
    return holds.holds(tp);
  }

  /** The partitions held for their ledger (kept paused). */
  Set<TopicPartition> held() {
    return holds.held();
  }

  /** How many partitions are held for their ledger; any thread. */
  int heldCount() {
    return holds.size();
  }

  /**
   * On the loop: takes in a read again of the held partitions' ledger that is done, and starts the
   * next when it is time; {@code owned}: the partitions owned now.
   */
  void retryHeld(Collection<TopicPartition> owned) {
    holds.retryDue(Set.copyOf(owned));
  }

  /** At shutdown: ends the reads again of held partitions. */
  void close() {
    holds.close();
  }

  /** The source of elapsed time for the reads again (set before the loop runs). */
  void timeWith(dev.postbus.worker.time.Ticker ticker) {
    holds.timeWith(ticker);
  }

  /**
   * Builds the dedupe index of the ledger partitions of the partitions newly assigned (the keys of
   * {@code committed}) not known yet, and reads again for them those it knows already; {@code
   * owned}: the partitions owned now. Those held already (their ledger or commits not read) are not
   * read here: their dedupe index is read again with their ledger, off the loop. Those read are
   * held when it could not be.
   */
  void readDedupe(
      Map<TopicPartition, OffsetAndMetadata> committed, Collection<TopicPartition> owned) {
    if (dedupe == null) {
      return;
    }
    Set<TopicPartition> held = new java.util.HashSet<>(committed.keySet());
    held.removeIf(tp -> !holds.holds(tp));
    holds.dedupeLater(held);
    Set<TopicPartition> taken = new java.util.HashSet<>(committed.keySet());
    taken.removeAll(held);
    try {
      dedupe.owned(Set.copyOf(owned), taken);
    } catch (RuntimeException e) {
      holds.dedupeUnread(taken, e);
    }
  }

  /**
   * The metadata of a commit of {@code offset}: the ledger mark a new owner starts reading from;
   * empty when the ledger is off or no mark is known.
   *
   * @param nextHandedOut one past the highest offset of {@code tp} handed out (-1 when none)
   */
  String mark(TopicPartition tp, long nextHandedOut, long offset) {
    if (index == null) {
      return "";
    }
    index.marks().note(tp, nextHandedOut);
    return index.marks().metadata(tp, offset);
  }

  /**
   * True when {@code tp}, not moved, should be committed again at {@code offset} for its ledger
   * mark to follow the ledger (see LedgerMarks.lags).
   */
  boolean markLags(TopicPartition tp, long nextHandedOut, long offset) {
    return index != null && index.marks().lags(tp, nextHandedOut, offset);
  }

  /** The current assignment of each partition, to hand back with the commit's acknowledgement. */
  Map<TopicPartition, Object> assignments(java.util.Set<TopicPartition> partitions) {
    Map<TopicPartition, Object> out = new java.util.HashMap<>();
    if (index != null) {
      partitions.forEach(tp -> out.put(tp, index.marks().assignment(tp)));
    }
    return out;
  }

  /** Kafka acknowledged these commits, made during {@code assignments}. */
  void committed(
      Map<TopicPartition, OffsetAndMetadata> offsets, Map<TopicPartition, Object> assignments) {
    if (index != null) {
      offsets.forEach(
          (tp, o) -> index.marks().committed(tp, o.offset(), o.metadata(), assignments.get(tp)));
    }
  }

  /** True while a partition taken over has no commit with a ledger mark yet. */
  boolean marksWanted() {
    return index != null && index.marks().unmarked();
  }

  /** A delivery came back finished (any delivery): a rewrite's payload no longer counts. */
  void finished(Delivery d) {
    settle(d);
  }

  /** Its payload no longer counts; once per rewrite, whichever way it ends first. */
  private void settle(Delivery d) {
    if (rewriting.remove(d)) {
      queue.releaseAside(d);
    }
  }

  /** Forgets these partitions; {@code owned}: those still owned. */
  void forget(Collection<TopicPartition> partitions, Collection<TopicPartition> owned) {
    forget(partitions);
    if (dedupe != null) {
      dedupe.keepOnly(Set.copyOf(owned)); // nothing to read: what is owned and not held is read
    }
  }

  void forget(Collection<TopicPartition> partitions) {
    rewriting.stream()
        .filter(d -> partitions.contains(d.partition()))
        .toList()
        .forEach(this::settle); // a rewrite of a partition let go may never be acknowledged
    holds.forget(partitions);
    if (index != null) {
      index.forget(partitions);
    }
  }
}
