package dev.postbus.worker.outcome;

import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * Whose limit a record refused as too large went over, and what to raise. Kafka's producer refuses
 * a record over its own max.request.size or buffer.memory before sending it, its message naming
 * that setting; the broker refuses one over the topic's max.message.bytes (MESSAGE_TOO_LARGE), its
 * message naming none. Both are a {@link RecordTooLargeException}.
 */
final class TooLarge {

  private static final String MAX_REQUEST_SIZE = "max.request.size";
  private static final String BUFFER_MEMORY = "buffer.memory";

  private TooLarge() {}

  /** The producer's setting the record went over, or null when the broker refused it. */
  static String producerLimit(RecordTooLargeException why) {
    String m = why == null ? null : why.getMessage();
    if (m == null) {
      return null;
    }
    if (m.contains(MAX_REQUEST_SIZE)) {
      return MAX_REQUEST_SIZE;
    }
    return m.contains(BUFFER_MEMORY) ? BUFFER_MEMORY : null;
  }

  /** "is larger than ... takes: raise ..., then replay", naming the limit it went over. */
  static String advice(String topic, RecordTooLargeException why) {
    String key = producerLimit(why);
    if (key == null) {
      return "is larger than "
          + topic
          + " takes: raise that topic's max.message.bytes, then replay";
    }
    return "is larger than the worker's producer takes (its "
        + key
        + ", before sending to "
        + topic
        + "): raise kafka.client."
        + key
        + " to at least job.max-bytes + 64 KiB (or leave it unset), restart, then replay";
  }
}
