package dev.postbus.worker.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * One line of the send ledger: the record at {@code topic/partition/offset} is finished (sent, or
 * its retry or dead letter is safe in Kafka). Keyed by job id in the compacted ledger topic. A
 * delivered job's entry carries its {@code delivered} event ({@link #event}, JSON, or null): the
 * entry goes out beside the event, not after it, so a new owner that skips the record writes the
 * event again.
 */
public record LedgerEntry(
    String topic, int partition, long offset, String jobId, long atMillis, byte[] event) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** An entry without an event (a retry or dead letter, whose own event is already safe). */
  public LedgerEntry(String topic, int partition, long offset, String jobId, long atMillis) {
    this(topic, partition, offset, jobId, atMillis, null);
  }

  public TopicPartition source() {
    return new TopicPartition(topic, partition);
  }

  public byte[] encode() {
    ObjectNode o = JSON.createObjectNode();
    o.put("topic", topic);
    o.put("partition", partition);
    o.put("offset", offset);
    if (jobId != null) {
      o.put("jobId", jobId);
    }
    o.put("at", atMillis);
    byte[] fields;
    try {
      fields = JSON.writeValueAsBytes(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return event == null ? fields : withEvent(fields, event);
  }

  private static final byte[] EVENT_FIELD =
      ",\"event\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** {@code {...fields,"event":<event>}}: the event's JSON bytes as they are, one copy. */
  private static byte[] withEvent(byte[] fields, byte[] event) {
    int head = fields.length - 1; // without the closing brace
    byte[] out = new byte[head + EVENT_FIELD.length + event.length + 1];
    System.arraycopy(fields, 0, out, 0, head);
    System.arraycopy(EVENT_FIELD, 0, out, head, EVENT_FIELD.length);
    System.arraycopy(event, 0, out, head + EVENT_FIELD.length, event.length);
    out[out.length - 1] = '}';
    return out;
  }

  /** Empty for a value that is not a ledger entry (a tombstone, or something written by hand). */
  public static Optional<LedgerEntry> decode(byte[] value) {
    if (value == null) {
      return Optional.empty();
    }
    try {
      JsonNode o = JSON.readTree(value);
      if (o == null
          || !o.path("topic").isTextual()
          || !o.path("partition").canConvertToInt()
          || !o.path("offset").canConvertToLong()) {
        return Optional.empty();
      }
      return Optional.of(
          new LedgerEntry(
              o.get("topic").asText(),
              o.get("partition").asInt(),
              o.get("offset").asLong(),
              o.path("jobId").isTextual() ? o.get("jobId").asText() : null,
              o.path("at").asLong(),
              o.path("event").isObject() ? JSON.writeValueAsBytes(o.get("event")) : null));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
