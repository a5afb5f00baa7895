package dev.postbus.worker.outcome;

import static dev.postbus.job.PostbusHeaders.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postbus.job.Job;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.smtp.SmtpReply;
import dev.postbus.worker.dispatch.Delivery;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds the records of an outcome: retry and dead-letter records (original key and payload bytes,
 * the publisher's headers, Postbus's headers), and outcome events (JSON, keyed by job id).
 */
final class RecordFactory {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String deadLetterTopic;
  private final String eventsTopic;
  private final String workerId;

  String deadLetterTopic() {
    return deadLetterTopic;
  }

  boolean eventsOn() {
    return eventsTopic != null;
  }

  RecordFactory(String deadLetterTopic, String eventsTopic, String workerId) {
    this.deadLetterTopic = deadLetterTopic;
    this.eventsTopic = eventsTopic;
    this.workerId = workerId;
  }

  ProducerRecord<byte[], byte[]> retry(
      Delivery d,
      String tierTopic,
      int attempts,
      Instant firstFailure,
      Instant due,
      Failure f,
      List<String> recipients) {
    Headers h = carried(d, recipients);
    put(h, ATTEMPT, Integer.toString(attempts));
    put(h, FIRST_FAILURE, firstFailure.toString());
    put(h, DUE, due.toString());
    describe(h, f);
    return new ProducerRecord<>(tierTopic, null, d.key(), d.value(), h);
  }

  /**
   * The job again, on a tier, due at {@code due}; the attempt count and first failure are carried
   * unchanged.
   */
  ProducerRecord<byte[], byte[]> scheduled(
      Delivery d,
      String tierTopic,
      int attempts,
      Instant firstFailure,
      Instant due,
      List<String> recipients) {
    Headers h = carried(d, recipients);
    if (attempts > 0) {
      put(h, ATTEMPT, Integer.toString(attempts));
    }
    if (firstFailure != null) {
      put(h, FIRST_FAILURE, firstFailure.toString());
    }
    put(h, DUE, due.toString());
    return new ProducerRecord<>(tierTopic, null, d.key(), d.value(), h);
  }

  ProducerRecord<byte[], byte[]> deadLetter(
      Delivery d,
      int attempts,
      Instant firstFailure,
      Instant now,
      Failure f,
      List<String> recipients) {
    Headers h = carried(d, recipients);
    if (recipients == null) {
      keepUnusedRestriction(d, h);
    }
    describe(h, f);
    put(h, ATTEMPTS, Integer.toString(attempts));
    put(h, FIRST_FAILURE, firstFailure.toString());
    put(h, LAST_FAILURE, now.toString());
    return new ProducerRecord<>(deadLetterTopic, null, d.key(), d.value(), h);
  }

  /**
   * A dead letter about all of the job's recipients whose record had a {@code postbus.recipients}
   * header (one the worker could not use: malformed, or naming none of them) keeps that header's
   * bytes, exactly, under {@code postbus.original.recipients}, for the operator to see (no
   * restriction: nothing reads it as one).
   */
  private static void keepUnusedRestriction(Delivery d, Headers h) {
    Header unused = d.headers() == null ? null : d.headers().lastHeader(RECIPIENTS);
    if (unused != null) {
      h.add(ORIGINAL_RECIPIENTS, unused.value());
    }
  }

  /** A dead letter without its payload, for a payload larger than the dead-letter topic takes. */
  static ProducerRecord<byte[], byte[]> withoutPayload(ProducerRecord<byte[], byte[]> deadLetter) {
    Headers h = new RecordHeaders(deadLetter.headers().toArray());
    put(
        h,
        PAYLOAD_OMITTED,
        Integer.toString(deadLetter.value() == null ? 0 : deadLetter.value().length));
    return new ProducerRecord<>(deadLetter.topic(), null, deadLetter.key(), null, h);
  }

  /**
   * The send-ledger entry of a finished record, on ledger partition {@code p mod n} for source
   * partition p, keyed by job id (or by the record's position when the payload was not a job). A
   * delivered job's entry carries its {@code delivered} event (null otherwise).
   */
  static ProducerRecord<byte[], byte[]> ledger(
      String ledgerTopic,
      int ledgerPartitions,
      dev.postbus.worker.config.LedgerFormat format,
      Delivery d,
      Job job,
      Instant now,
      byte[] deliveredEvent,
      byte[] fingerprint,
      dev.postbus.worker.ledger.LedgerOutcome outcome) {
    String jobId =
        job != null
            ? job.id()
            : d.key() != null ? new String(d.key(), StandardCharsets.UTF_8) : null;
    var entry =
        new dev.postbus.worker.ledger.LedgerEntry(
            d.partition().topic(),
            d.partition().partition(),
            d.offset(),
            jobId,
            now.toEpochMilli(),
            deliveredEvent,
            fingerprint,
            outcome);
    // A conflict's entry must not replace, when the topic is compacted, the entry of the first
    // content under that id (the one later copies are judged against): keyed by its position.
    String key =
        jobId != null && outcome != dev.postbus.worker.ledger.LedgerOutcome.CONFLICT
            ? jobId
            : d.partition() + "@" + d.offset();
    return new ProducerRecord<>(
        ledgerTopic,
        dev.postbus.worker.ledger.LedgerReader.ledgerPartition(
            d.partition().partition(), ledgerPartitions),
        key.getBytes(StandardCharsets.UTF_8),
        dev.postbus.worker.ledger.LedgerCodec.encode(entry, format));
  }

  ProducerRecord<byte[], byte[]> event(
      Delivery d,
      Job job,
      String type,
      int attempt,
      Instant now,
      java.util.function.Consumer<ObjectNode> details) {
    ObjectNode e = JSON.createObjectNode();
    e.put("type", type);
    String jobId =
        job != null
            ? job.id()
            : d.key() == null ? null : new String(d.key(), StandardCharsets.UTF_8);
    e.put("jobId", jobId);
    e.put("at", now.toString());
    e.put("attempt", attempt);
    e.put("worker", workerId);
    if (job != null && !job.tags().isEmpty()) {
      ObjectNode tags = e.putObject("tags");
      job.tags().forEach(tags::put);
    }
    details.accept(e);
    try {
      return new ProducerRecord<>(
          eventsTopic,
          jobId == null ? null : jobId.getBytes(StandardCharsets.UTF_8),
          JSON.writeValueAsBytes(e));
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      throw new IllegalStateException("cannot encode event for " + d, ex);
    }
  }

  /**
   * The delivered event a ledger entry carries, again (keyed by job id, as the first time), or null
   * when events are off.
   */
  ProducerRecord<byte[], byte[]> eventAgain(dev.postbus.worker.ledger.LedgerEntry entry) {
    if (eventsTopic == null) {
      return null;
    }
    byte[] key = entry.jobId() == null ? null : entry.jobId().getBytes(StandardCharsets.UTF_8);
    return new ProducerRecord<>(eventsTopic, key, entry.event());
  }

  static void putReply(ObjectNode node, SmtpReply reply) {
    if (reply != null) {
      ObjectNode r = node.putObject("reply");
      r.put("code", reply.code());
      if (reply.enhancedCode() != null) {
        r.put("enhancedCode", reply.enhancedCode());
      }
      r.put("text", reply.text());
    }
  }

  static void putFailure(ObjectNode node, Failure f) {
    node.put("class", f.outcomeClass().label());
    node.put("reason", f.reason());
    putReply(node, f.reply());
    if (f.inDoubt()) {
      node.put("inDoubt", true);
    }
  }

  static void putRecipients(ObjectNode node, List<String> recipients) {
    if (recipients != null) {
      var array = node.putArray("recipients");
      recipients.forEach(array::add);
    }
  }

  /**
   * The publisher's headers and the replay count, the first origin, and the recipient restriction.
   * A {@code postbus.original.recipients} the record carries is not Postbus's (replay leaves it
   * out): it is dropped, as the other {@code postbus.*} headers.
   */
  private Headers carried(Delivery d, List<String> recipients) {
    Headers h = new RecordHeaders();
    boolean hasOrigin = false;
    if (d.headers() != null) {
      for (Header original : d.headers()) {
        String k = original.key();
        if (!PostbusHeaders.isPostbusHeader(k) || k.equals(REPLAY_COUNT)) {
          h.add(original);
        } else if (k.startsWith("postbus.original.") && !k.equals(ORIGINAL_RECIPIENTS)) {
          h.add(original);
          hasOrigin = true;
        }
      }
    }
    if (!hasOrigin) {
      put(h, ORIGINAL_TOPIC, d.partition().topic());
      put(h, ORIGINAL_PARTITION, Integer.toString(d.partition().partition()));
      put(h, ORIGINAL_OFFSET, Long.toString(d.offset()));
    }
    if (recipients != null) {
      try {
        h.add(RECIPIENTS, JSON.writeValueAsBytes(recipients));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    put(h, WORKER, workerId);
    put(h, JOB_CLASS, d.jobClass().wire());
    return h;
  }

  private static void describe(Headers h, Failure f) {
    put(h, CLASS, f.outcomeClass().label());
    put(h, REASON, truncate(f.reason()));
    if (f.reply() != null) {
      put(h, CODE, Integer.toString(f.reply().code()));
      if (f.reply().enhancedCode() != null) {
        put(h, ENHANCED_CODE, f.reply().enhancedCode());
      }
      put(h, REPLY, truncate(f.reply().text()));
    }
    if (f.command() != null) {
      put(h, COMMAND, f.command());
    }
    if (f.inDoubt()) {
      put(h, IN_DOUBT, "true");
    }
  }

  private static void put(Headers h, String key, String value) {
    h.add(key, value.getBytes(StandardCharsets.UTF_8));
  }

  private static String truncate(String s) {
    return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT);
  }
}
