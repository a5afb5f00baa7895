package dev.postbus.feedback.write;

import dev.postbus.feedback.model.Feedback;
import dev.postbus.feedback.model.FeedbackCodec;
import dev.postbus.feedback.model.Refusal;
import dev.postbus.job.MailAddress;
import dev.postbus.suppression.Source;
import dev.postbus.suppression.Suppression;
import dev.postbus.suppression.SuppressionWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * Writes the records of a request and waits until Kafka acknowledged every one: for each report its
 * feedback record; for a permanent bounce or complaint a suppression entry ({@code source:
 * feedback}); for a correlated bounce or complaint a {@code bounced} / {@code complained} event.
 * When Kafka does not acknowledge them all in time, a 503 {@link Refusal} (the provider retries).
 */
public final class FeedbackWriter {

  private static final Pattern ENHANCED = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

  private final Producer<byte[], byte[]> producer;
  private final String feedbackTopic;
  private final SuppressionWriter suppressions;
  private final String eventsTopic;
  private final Duration timeout;
  private final Clock clock;

  public FeedbackWriter(
      Producer<byte[], byte[]> producer,
      String feedbackTopic,
      SuppressionWriter suppressions,
      String eventsTopic,
      Duration timeout,
      Clock clock) {
    this.producer = producer;
    this.feedbackTopic = feedbackTopic;
    this.suppressions = suppressions;
    this.eventsTopic = eventsTopic;
    this.timeout = timeout;
    this.clock = clock;
  }

  /** Returns once every record is acknowledged; throws a 503 {@link Refusal} otherwise. */
  public void write(List<Feedback> reports) {
    Instant now = clock.instant();
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try {
      for (Feedback f : reports) {
        ProducerRecord<byte[], byte[]> record =
            new ProducerRecord<>(feedbackTopic, FeedbackCodec.key(f), FeedbackCodec.value(f, now));
        record.headers().add(FeedbackCodec.KIND_HEADER, FeedbackCodec.kind(f));
        sent.add(producer.send(record));
        if (f.suppresses() && MailAddress.isValid(f.recipient().strip())) {
          sent.add(suppressions.add(suppression(f, now)));
        }
        byte[] event = eventsTopic == null ? null : FeedbackCodec.event(f, now);
        if (event != null) {
          sent.add(
              producer.send(
                  new ProducerRecord<>(
                      eventsTopic, f.jobId().getBytes(StandardCharsets.UTF_8), event)));
        }
      }
      for (Future<RecordMetadata> f : sent) {
        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (ExecutionException | KafkaException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw unavailable(cause.getClass().getSimpleName());
    } catch (TimeoutException e) {
      throw unavailable("no acknowledgement within feedback.kafka-timeout " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("interrupted");
    }
  }

  static Suppression suppression(Feedback f, Instant now) {
    String status =
        f.status() != null && ENHANCED.matcher(f.status()).matches() ? f.status() : null;
    String reason =
        f.provider()
            + " reported a "
            + (f.bounceClass() == null ? "" : f.bounceClass().label() + " ")
            + f.type().label()
            + (status == null ? "" : " " + status);
    return new Suppression(f.recipient(), reason, null, status, Source.FEEDBACK, now, null);
  }

  private static Refusal unavailable(String why) {
    return new Refusal(503, "kafka", "Kafka did not acknowledge the records: " + why);
  }
}
