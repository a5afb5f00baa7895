package dev.postbus.worker.outcome;

import dev.postbus.smtp.TraceOnly;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a record and runs {@code onAcked} once Kafka has it (acks=all). A failed send is tried
 * again after a pause until it succeeds or {@code abandon} says the work is no longer ours, so a
 * job's offset is never committed before its retry, dead-letter or event record is safe. What an
 * answer leads to runs on the {@code retries} thread, never in the producer's callback.
 */
public final class DurableSender {

  private static final Logger log = LoggerFactory.getLogger(DurableSender.class);
  private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

  private final Producer<byte[], byte[]> producer;
  private final java.util.concurrent.Executor acks;
  private final ScheduledExecutorService retries;
  private final Duration retryPause;

  /** Acknowledgements and resends on one thread (tests). */
  public DurableSender(Producer<byte[], byte[]> producer, ScheduledExecutorService retries) {
    this(producer, retries, retries, RETRY_PAUSE);
  }

  /**
   * @param acks runs what an acknowledgement leads to (the next record of a batch, its end)
   * @param retries runs the resends, which may block in {@code send} (buffer full) for
   *     max.block.ms: on another thread than {@code acks}, so they hold up no acknowledgement
   */
  public DurableSender(
      Producer<byte[], byte[]> producer,
      java.util.concurrent.Executor acks,
      ScheduledExecutorService retries) {
    this(producer, acks, retries, RETRY_PAUSE);
  }

  /**
   * @param retryPause the wait before a failed send is tried again
   */
  DurableSender(
      Producer<byte[], byte[]> producer, ScheduledExecutorService retries, Duration retryPause) {
    this(producer, retries, retries, retryPause);
  }

  private DurableSender(
      Producer<byte[], byte[]> producer,
      java.util.concurrent.Executor acks,
      ScheduledExecutorService retries,
      Duration retryPause) {
    this.producer = producer;
    this.acks = acks;
    this.retries = retries;
    this.retryPause = retryPause;
  }

  /**
   * A task that throws is logged, naming the record: an executor's future would swallow it, and the
   * job would stay unfinished (uncommitted, redelivered later) without a word.
   */
  private static Runnable logged(java.util.function.Supplier<String> what, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        log.error(
            "unexpected error after writing {}; its job stays unfinished (uncommitted, redelivered)",
            what.get(),
            TraceOnly.of(e)); // its message can quote an address
      }
    };
  }

  /**
   * @param what describes the record in log lines; called only when something goes wrong
   */
  public void send(
      ProducerRecord<byte[], byte[]> record,
      java.util.function.Supplier<String> what,
      BooleanSupplier abandon,
      Runnable onAcked) {
    send(record, what, abandon, onAcked, (Instead) null);
  }

  /**
   * @param tooLarge what to send instead when Kafka refuses the record as too large (retrying would
   *     never succeed): the record without its payload; or null to keep retrying
   */
  public void send(
      ProducerRecord<byte[], byte[]> record,
      java.util.function.Supplier<String> what,
      BooleanSupplier abandon,
      Runnable onAcked,
      java.util.function.UnaryOperator<ProducerRecord<byte[], byte[]>> tooLarge) {
    send(
        record, what, abandon, onAcked, tooLarge == null ? null : Instead.withoutPayload(tooLarge));
  }

  /**
   * What to send instead of a record Kafka refuses as too large, where retrying it would never
   * succeed.
   *
   * @param how what the log line says is done instead ("writing it without its payload")
   * @param record the record to send instead, made from the refused one and Kafka's refusal
   * @param then what to send instead should that be refused as too large too, or null
   */
  public record Instead(String how, Replacement record, Instead then) {

    /** What to send instead, from the refused record and Kafka's refusal. */
    @FunctionalInterface
    public interface Replacement {
      ProducerRecord<byte[], byte[]> apply(
          ProducerRecord<byte[], byte[]> refused, RecordTooLargeException why);
    }

    public Instead(
        String how,
        java.util.function.UnaryOperator<ProducerRecord<byte[], byte[]>> record,
        Instead then) {
      this(how, (refused, why) -> record.apply(refused), then);
    }

    public static Instead withoutPayload(
        java.util.function.UnaryOperator<ProducerRecord<byte[], byte[]>> record) {
      return new Instead("writing it without its payload", record, null);
    }
  }

  /**
   * @param tooLarge what to send instead when Kafka refuses the record as too large, or null to
   *     keep retrying
   */
  public void send(
      ProducerRecord<byte[], byte[]> record,
      java.util.function.Supplier<String> what,
      BooleanSupplier abandon,
      Runnable onAcked,
      Instead tooLarge) {
    try {
      producer.send(
          record,
          (metadata, error) ->
              onOurThread(
                  what,
                  () -> {
                    if (error == null) {
                      onAcked.run();
                    } else if (error instanceof RecordTooLargeException tooBig
                        && tooLarge != null) {
                      sendSmaller(record, what, abandon, onAcked, tooLarge, tooBig);
                    } else {
                      retryLater(record, what, abandon, onAcked, tooLarge, error);
                    }
                  }));
    } catch (RecordTooLargeException e) {
      if (tooLarge == null) {
        retryLater(record, what, abandon, onAcked, null, e);
      } else {
        sendSmaller(record, what, abandon, onAcked, tooLarge, e);
      }
    } catch (RuntimeException e) {
      retryLater(record, what, abandon, onAcked, tooLarge, e);
    }
  }

  /**
   * Runs what an answer from Kafka leads to (the next record of a batch, a ledger entry, a resend)
   * on our thread, not in the producer's callback: that runs on Kafka's I/O thread, where a send
   * that blocks (buffer full, metadata) for max.block.ms would stall every producer answer.
   */
  private void onOurThread(java.util.function.Supplier<String> what, Runnable task) {
    try {
      acks.execute(logged(what, task));
    } catch (RejectedExecutionException shuttingDown) {
      log.warn(
          "{} answered at shutdown; its job stays uncommitted and will be redelivered", what.get());
    }
  }

  private void sendSmaller(
      ProducerRecord<byte[], byte[]> record,
      java.util.function.Supplier<String> what,
      BooleanSupplier abandon,
      Runnable onAcked,
      Instead tooLarge,
      RecordTooLargeException error) {
    if (abandon.getAsBoolean()) { // the new owner redoes the job: no second dead letter
      log.warn(
          "{} is too large for {} ({}) and its partition is gone; the new owner redoes the job",
          what.get(),
          record.topic(),
          error.getMessage());
      return;
    }
    log.warn(
        "{} is too large for {} ({}); {}",
        what.get(),
        record.topic(),
        error.getMessage(),
        tooLarge.how());
    send(tooLarge.record().apply(record, error), what, abandon, onAcked, tooLarge.then());
  }

  /**
   * Tries the same send again after the pause, keeping what to send instead should it then be too
   * large.
   */
  private void retryLater(
      ProducerRecord<byte[], byte[]> record,
      java.util.function.Supplier<String> what,
      BooleanSupplier abandon,
      Runnable onAcked,
      Instead tooLarge,
      Exception error) {
    if (abandon.getAsBoolean()) {
      log.warn(
          "{} not written to {} and its partition is gone; the new owner redoes the job ({})",
          what.get(),
          record.topic(),
          error.getMessage());
      return;
    }
    log.warn(
        "{} not written to {}, trying again in {}: {}",
        what.get(),
        record.topic(),
        retryPause,
        error.getMessage());
    try {
      retries.schedule(
          logged(what, () -> send(record, what, abandon, onAcked, tooLarge)),
          retryPause.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      log.warn(
          "{} abandoned at shutdown; its job stays uncommitted and will be redelivered",
          what.get());
    }
  }
}
