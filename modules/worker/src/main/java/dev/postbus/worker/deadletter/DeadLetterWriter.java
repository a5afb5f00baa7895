package dev.postbus.worker.deadletter;

import static dev.postbus.worker.deadletter.DeadLetterHeaders.*;

import dev.postbus.worker.delivery.Delivery;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes dead letters: the original key, payload bytes and headers unchanged, plus headers saying why.
 * {@code onDurable} runs once Kafka has acknowledged the record (acks=all); a failed write is tried again
 * after a pause until it succeeds, so the job's offset is never committed before its dead letter is safe.
 */
public final class DeadLetterWriter {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterWriter.class);
  private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final String workerId;
  private final ScheduledExecutorService retries;

  public DeadLetterWriter(Producer<byte[], byte[]> producer, String topic, String workerId,
      ScheduledExecutorService retries) {
    this.producer = producer;
    this.topic = topic;
    this.workerId = workerId;
    this.retries = retries;
  }

  public void write(Delivery d, DeadLetter why, Runnable onDurable) {
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, d.key(), d.value(), headers(d, why));
    send(record, d, onDurable);
  }

  private void send(ProducerRecord<byte[], byte[]> record, Delivery d, Runnable onDurable) {
    try {
      producer.send(record, (metadata, error) -> {
        if (error == null) {
          onDurable.run();
        } else {
          retryLater(record, d, onDurable, error);
        }
      });
    } catch (RuntimeException e) {
      retryLater(record, d, onDurable, e);
    }
  }

  private void retryLater(ProducerRecord<byte[], byte[]> record, Delivery d, Runnable onDurable, Exception error) {
    if (d.owner().revoked()) {
      log.warn("dead letter for {} not written and its partition is gone: the new owner will redo it ({})", d,
          error.getMessage());
      return;
    }
    log.warn("dead letter for {} not written to {}, trying again in {}: {}", d, topic, RETRY_PAUSE, error.getMessage());
    try {
      retries.schedule(() -> send(record, d, onDurable), RETRY_PAUSE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
      log.warn("dead letter for {} abandoned at shutdown; its offset stays uncommitted", d);
    }
  }

  Headers headers(Delivery d, DeadLetter why) {
    Headers h = new RecordHeaders();
    if (d.headers() != null) {
      d.headers().forEach(original -> {
        if (!original.key().startsWith("postbus.dlt.") && !original.key().startsWith("postbus.original.")
            && !original.key().equals(WORKER)) {
          h.add(original);
        }
      });
    }
    put(h, CLASS, why.failureClass().label());
    put(h, REASON, truncate(why.reason()));
    if (why.reply() != null) {
      put(h, CODE, Integer.toString(why.reply().code()));
      if (why.reply().enhancedCode() != null) {
        put(h, ENHANCED_CODE, why.reply().enhancedCode());
      }
      put(h, REPLY, truncate(why.reply().text()));
    }
    if (why.command() != null) {
      put(h, COMMAND, why.command());
    }
    put(h, ATTEMPTS, Integer.toString(why.attempts()));
    put(h, FIRST_FAILURE, why.firstFailure().toString());
    put(h, LAST_FAILURE, why.lastFailure().toString());
    put(h, ORIGINAL_TOPIC, d.partition().topic());
    put(h, ORIGINAL_PARTITION, Integer.toString(d.partition().partition()));
    put(h, ORIGINAL_OFFSET, Long.toString(d.offset()));
    put(h, WORKER, workerId);
    return h;
  }

  private static void put(Headers h, String key, String value) {
    h.add(key, value.getBytes(StandardCharsets.UTF_8));
  }

  private static String truncate(String s) {
    return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT);
  }
}
