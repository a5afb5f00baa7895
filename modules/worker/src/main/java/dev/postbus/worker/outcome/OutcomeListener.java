package dev.postbus.worker.outcome;

import dev.postbus.job.JobClass;

/**
 * Told of every outcome and every send attempt, for counting (the worker's metrics implement it).
 * The {@code outcome} package owns it so that it reports to whoever listens without knowing who
 * that is, as resilience4j's modules publish their events.
 */
public interface OutcomeListener {

  /**
   * A delivery of a record published at {@code publishedMillis} (epoch ms), completed at {@code
   * nowMillis}.
   */
  void delivered(long publishedMillis, long nowMillis);

  /** A job was dead-lettered with this class label (permanent, transient, poison, expired...). */
  void deadLettered(String failureClass);

  /** A job went to a tier of the retry ladder (its topic). */
  void retried(String tierTopic);

  /** A send's connection broke after the final dot: the relay may have accepted it. */
  void inDoubt();

  /** One SMTP send attempt took this long. */
  void smtpSend(long nanos);

  /**
   * A send attempt failed for the connection, not the message (connect, lost, in doubt, relay
   * refused us).
   */
  void connectionFailed();

  /**
   * A job of class {@code jobClass} ended an attempt as {@code outcome} ({@code delivered}, {@code
   * deferred} or {@code dead-lettered}); a delivered one was published at {@code publishedMillis}
   * and delivered at {@code nowMillis} (both 0 otherwise).
   */
  default void byClass(JobClass jobClass, String outcome, long publishedMillis, long nowMillis) {}

  /** A record was not sent: its job id finished before, within the dedupe window, same content. */
  default void duplicate() {}

  /** A job's class field disagreed with its topic (the topic decided). */
  default void classMismatch() {}

  /** A send of class {@code jobClass} waited {@code nanos} for its rate permits (a limit set). */
  default void permitWait(JobClass jobClass, long nanos) {}

  /** A job went without its VERP return path, which would exceed RFC 5321's limits. */
  default void verpSkipped() {}

  /**
   * A lane held a final dot {@code nanos} for the send ledger to hold its previous message (zero
   * when the entry was already acknowledged).
   */
  default void ledgerWait(long nanos) {}

  /** Counts nothing (for tests and tools). */
  OutcomeListener NONE =
      new OutcomeListener() {
        @Override
        public void delivered(long publishedMillis, long nowMillis) {}

        @Override
        public void deadLettered(String failureClass) {}

        @Override
        public void retried(String tierTopic) {}

        @Override
        public void inDoubt() {}

        @Override
        public void smtpSend(long nanos) {}

        @Override
        public void connectionFailed() {}
      };
}
