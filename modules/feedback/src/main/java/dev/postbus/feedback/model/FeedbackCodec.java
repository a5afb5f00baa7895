package dev.postbus.feedback.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The JSON of a report on the feedback topic, and of the {@code bounced} / {@code complained} event
 * it becomes on the events topic (docs/feedback.md has both formats).
 */
public final class FeedbackCodec {

  /** Characters of the provider's payload kept on the topic; the rest is cut off. */
  public static final int RAW_LIMIT = 16 * 1024;

  public static final int SCHEMA = 1;

  private static final ObjectMapper JSON = new ObjectMapper();

  private FeedbackCodec() {}

  /**
   * A header of each record on {@code <topic>.feedback}: the report's type, and for a bounce its
   * class ({@code bounce/transient}), so a reader that wants some of them only (the soft-bounce
   * follower) skips the others without parsing them. Records written before it have none.
   */
  public static final String KIND_HEADER = "postbus-feedback-kind";

  /** The value of {@link #KIND_HEADER} for {@code f}. */
  public static byte[] kind(Feedback f) {
    String kind =
        f.bounceClass() == null
            ? f.type().label()
            : f.type().label() + "/" + f.bounceClass().label();
    return kind.getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] key(Feedback f) {
    String k = f.key();
    return k == null ? null : k.getBytes(StandardCharsets.UTF_8);
  }

  /** The record on {@code <topic>.feedback}. */
  public static byte[] value(Feedback f, Instant receivedAt) {
    ObjectNode n = JSON.createObjectNode();
    n.put("schema", SCHEMA);
    n.put("type", f.type().label());
    if (f.bounceClass() != null) {
      n.put("bounceClass", f.bounceClass().label());
    }
    n.put("recipient", f.recipient());
    n.put("status", f.status());
    n.put("diagnostic", f.diagnostic());
    n.put("jobId", f.jobId());
    n.put("relayMessageId", f.relayMessageId());
    n.put("provider", f.provider());
    n.put("providerEventId", f.providerEventId());
    n.put("at", f.at().toString());
    n.put("receivedAt", receivedAt.toString());
    if (f.raw() != null) {
      boolean cut = f.raw().length() > RAW_LIMIT;
      n.put("raw", cut ? f.raw().substring(0, RAW_LIMIT) : f.raw());
      if (cut) {
        n.put("rawTruncated", true);
      }
    }
    return bytes(n);
  }

  /**
   * The event on the events topic for a correlated bounce ({@code bounced}) or complaint ({@code
   * complained}); null for other reports and for reports without a job id.
   */
  public static byte[] event(Feedback f, Instant receivedAt) {
    if (f.jobId() == null
        || (f.type() != FeedbackType.BOUNCE && f.type() != FeedbackType.COMPLAINT)) {
      return null;
    }
    ObjectNode n = JSON.createObjectNode();
    n.put("type", f.type() == FeedbackType.BOUNCE ? "bounced" : "complained");
    n.put("jobId", f.jobId());
    n.put("at", receivedAt.toString());
    n.put("reportedAt", f.at().toString());
    if (f.recipient() != null) {
      n.putArray("recipients").add(f.recipient());
    }
    if (f.bounceClass() != null) {
      n.put("bounceClass", f.bounceClass().label());
    }
    n.put("status", f.status());
    n.put("diagnostic", f.diagnostic());
    n.put("provider", f.provider());
    n.put("providerEventId", f.providerEventId());
    n.put("relayMessageId", f.relayMessageId());
    n.put("suppressed", f.suppresses());
    return bytes(n);
  }

  /**
   * A record of {@code <topic>.feedback} back as a report, without its raw payload.
   *
   * @throws IllegalArgumentException naming the field, for a record that is not a report
   */
  public static Feedback read(byte[] value) {
    com.fasterxml.jackson.databind.JsonNode n;
    try {
      n = JSON.readTree(value);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("not JSON");
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    try {
      String bounceClass = text(n, "bounceClass");
      return new Feedback(
          FeedbackType.valueOf(required(n, "type").toUpperCase(java.util.Locale.ROOT)),
          bounceClass == null
              ? null
              : BounceClass.valueOf(bounceClass.toUpperCase(java.util.Locale.ROOT)),
          text(n, "recipient"),
          text(n, "status"),
          text(n, "diagnostic"),
          text(n, "jobId"),
          text(n, "relayMessageId"),
          required(n, "provider"),
          text(n, "providerEventId"),
          Instant.parse(required(n, "at")),
          null);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("at: not an ISO-8601 time");
    } catch (NullPointerException e) {
      throw new IllegalArgumentException(e.getMessage() + ": missing");
    }
  }

  private static String text(com.fasterxml.jackson.databind.JsonNode n, String field) {
    com.fasterxml.jackson.databind.JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static String required(com.fasterxml.jackson.databind.JsonNode n, String field) {
    String v = text(n, field);
    if (v == null) {
      throw new IllegalArgumentException(field + ": missing");
    }
    return v;
  }

  private static byte[] bytes(ObjectNode n) {
    try {
      return JSON.writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode a feedback record", e);
    }
  }
}
