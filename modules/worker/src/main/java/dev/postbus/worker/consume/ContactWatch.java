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

  /** True while Kafka is lost but answering: a commit is to prove membership. */
  boolean wantsProof() {
    return contact != null && contact.wantsProof();
  }

  /** Counts the coordinator's answers since the last look, then judges; {@code now}: the ticker. */
  void judge(Consumer<byte[], byte[]> consumer, long now) {
    if (contact != null) {
      if (answers.grew(consumer::metrics)) {
        contact.answered();
      }
      contact.check();
    }
    watchedAt = now;
  }

  long watchedAt() {
    return watchedAt;
  }
}
