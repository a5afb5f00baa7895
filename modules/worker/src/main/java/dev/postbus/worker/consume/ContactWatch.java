package dev.postbus.worker.consume;

import org.apache.kafka.clients.consumer.Consumer;

/**
 * The consume loop's side of {@link KafkaContact}: what it saw of Kafka (records, answers of the
 * coordinator counted from the consumer's metrics, acknowledged commits, assignments) goes to the
 * contact judge, when one is set. Consumer thread only.
 */
final class ContactWatch {

  private final CoordinatorAnswers answers = new CoordinatorAnswers();
  private KafkaContact contact;

  /** The ticker's reading at the last look at Kafka's contact (for tests). */
  private volatile long watchedAt = Long.MIN_VALUE;

  void use(KafkaContact contact) {
    this.contact = contact;
  }

  /** The consumer loop starts: the silence is counted from now. */
  void start() {
    if (contact != null) {
      contact.start();
    }
  }

  /** Kafka answered (records fetched, a step of a rebalance). */
  void answered() {
    if (contact != null) {
      contact.answered();
    }
  }

  /** Membership proven (a commit acknowledged, an assignment). */
  void member() {
    if (contact != null) {
      contact.member();
    }
  }

  /**
   * True when membership is to be proven again (the last proof is a third of kafka-lost-after old),
   * or when no judge is set.
   */
  boolean proofDue() {
    return contact == null || contact.proofDue();
  }

  /**
   * How often the loop judges and proves membership: every commit interval, and at least three
   * times per kafka-lost-after.
   */
  java.time.Duration step(java.time.Duration commitInterval) {
    if (contact == null) {
      return commitInterval;
    }
    java.time.Duration proof = contact.proofInterval();
    return proof.compareTo(commitInterval) < 0 ? proof : commitInterval;
  }

  /**
   * Counts the coordinator's answers since the last look, then judges; {@code now}: the ticker;
   * {@code owning}: this member owns partitions (and so may be fenced from them).
   */
  void judge(Consumer<byte[], byte[]> consumer, long now, boolean owning) {
    if (contact != null) {
      if (answers.grew(consumer::metrics)) {
        if (answers.joined()) {
          contact.member(); // a JoinGroup or SyncGroup answered with success
        } else {
          contact.answered();
        }
      }
      contact.check(owning);
    }
    watchedAt = now;
  }

  long watchedAt() {
    return watchedAt;
  }
}
