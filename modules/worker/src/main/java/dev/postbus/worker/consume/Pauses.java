package dev.postbus.worker.consume;

import dev.postbus.job.JobClass;
import dev.postbus.worker.dispatch.DispatchQueue;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that pauses and resumes partitions. Each cause only decides: {@link Backpressure}
 * (every partition: the queue full or delivery held), {@link TierHolds} (a tier waiting for its
 * head), and with the classes on {@link ClassPauses} (bulk partitions while transactional jobs
 * wait) and a full bulk side (the bulk partitions and every tier partition, as a tier's records may
 * be bulk retries: a transactional retry in a tier then waits too, until the bulk side has room).
 * Partitions whose send ledger could not be read ({@link LedgerHolds}) are paused too. The
 * partitions to pause are the union of these; {@link #apply} pauses what is missing and resumes
 * what no cause wants paused, so no cause undoes another's pause. A rebalance drops pauses (an
 * eager one; a partition assigned afresh starts resumed): {@link #assigned} pauses the new
 * partitions the causes want paused before any fetch (a jobs partition not fetched yet has no known
 * lag and counts as lagging, so a fresh worker pauses bulk until its jobs partitions are known to
 * be caught up). Consumer thread only.
 */
final class Pauses {

  private static final Logger log = LoggerFactory.getLogger(ConsumeLoop.class);

  private final Consumer<byte[], byte[]> consumer;
  private final DispatchQueue queue;
  private final Backpressure backpressure;
  private final TierHolds tiers;
  private final java.util.function.Supplier<Set<TopicPartition>> ledgerHeld;
  private ClassPauses classes; // null: classes off
  private String jobsTopic;
  private String bulkTopic;
  private Set<String> tierTopics = Set.of();
  private boolean bulkPaused;

  Pauses(
      Consumer<byte[], byte[]> consumer,
      DispatchQueue queue,
      Backpressure backpressure,
      TierHolds tiers) {
    this(consumer, queue, backpressure, tiers, Set::of);
  }

  /**
   * @param ledgerHeld partitions whose send ledger could not be read ({@link LedgerHolds}): paused
   *     until it is
   */
  Pauses(
      Consumer<byte[], byte[]> consumer,
      DispatchQueue queue,
      Backpressure backpressure,
      TierHolds tiers,
      java.util.function.Supplier<Set<TopicPartition>> ledgerHeld) {
    this.consumer = consumer;
    this.queue = queue;
    this.backpressure = backpressure;
    this.tiers = tiers;
    this.ledgerHeld = ledgerHeld;
  }

  /** Pauses bulk partitions as {@code decision} says (set before the loop runs). */
  void useClasses(String jobsTopic, Set<String> tierTopics, ClassPauses decision) {
    this.jobsTopic = jobsTopic;
    this.tierTopics = Set.copyOf(tierTopics);
    this.bulkTopic = JobClass.BULK.topic(jobsTopic);
    this.classes = decision;
  }

  /** True while bulk partitions are paused for transactional mail (as last judged). */
  boolean bulkPaused() {
    return bulkPaused;
  }

  /** Judges every cause again and pauses and resumes to match. */
  void apply() {
    backpressure.update();
    tiers.releaseDue();
    Set<TopicPartition> assigned = consumer.assignment();
    Set<TopicPartition> want = wanted(assigned);
    Set<TopicPartition> paused = consumer.paused();
    Set<TopicPartition> resume = new HashSet<>(paused);
    resume.removeAll(want);
    Set<TopicPartition> pause = new HashSet<>(want);
    pause.removeAll(paused);
    if (!pause.isEmpty()) {
      consumer.pause(pause);
    }
    if (!resume.isEmpty()) {
      consumer.resume(resume);
    }
  }

  /** Partitions just assigned: those a cause wants paused are paused now, before any fetch. */
  void assigned(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    Set<TopicPartition> pause = wanted(consumer.assignment());
    pause.retainAll(partitions);
    if (!pause.isEmpty()) {
      consumer.pause(pause);
      log.debug("paused {} partitions as they were assigned", pause.size());
    }
  }

  private Set<TopicPartition> wanted(Set<TopicPartition> assigned) {
    if (backpressure.paused() && (classes == null || backpressure.everything())) {
      return new HashSet<>(assigned);
    }
    Set<TopicPartition> want = new HashSet<>(tiers.held());
    want.addAll(ledgerHeld.get());
    if (backpressure.paused()) { // the transactional side is full: bulk goes by its own bound
      for (TopicPartition tp : assigned) {
        if (!tp.topic().equals(bulkTopic)) {
          want.add(tp);
        }
      }
    }
    if (classes != null && queue.bulkFull()) { // a tier's bulk retries would overflow the side
      for (TopicPartition tp : assigned) {
        if (tierTopics.contains(tp.topic())) {
          want.add(tp);
        }
      }
    }
    bulkPaused = classes != null && pauseBulk(assigned);
    if (bulkPaused) {
      for (TopicPartition tp : assigned) {
        if (tp.topic().equals(bulkTopic)) {
          want.add(tp);
        }
      }
    }
    want.retainAll(assigned);
    return want;
  }

  private boolean pauseBulk(Set<TopicPartition> assigned) {
    long lag = 0;
    for (TopicPartition tp : assigned) {
      if (tp.topic().equals(jobsTopic)) {
        lag += consumer.currentLag(tp).orElse(1); // unknown (not fetched yet): it may lag
      }
    }
    return classes.pauseBulk(
        queue.size(JobClass.TRANSACTIONAL), lag, queue.size(JobClass.BULK), queue.bulkFull());
  }
}
