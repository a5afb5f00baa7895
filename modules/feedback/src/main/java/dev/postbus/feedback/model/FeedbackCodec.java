package dev.postbus.feedback.model;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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

  /** Bytes a record takes besides its raw payload, about: the buffer's first size. */
  private static final int RECORD_SIZE = 512;

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
    ByteArrayBuilder out = new ByteArrayBuilder(bufferSize(f.raw()));
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("schema", SCHEMA);
      g.writeStringField("type", f.type().label());
      if (f.bounceClass() != null) {
        g.writeStringField("bounceClass", f.bounceClass().label());
      }
      g.writeStringField("recipient", f.recipient());
      g.writeStringField("status", f.status());
      g.writeStringField("diagnostic", f.diagnostic());
      g.writeStringField("jobId", f.jobId());
      g.writeStringField("relayMessageId", f.relayMessageId());
      g.writeStringField("provider", f.provider());
      g.writeStringField("providerEventId", f.providerEventId());
      g.writeStringField("at", f.at().toString());
      g.writeStringField("receivedAt", receivedAt.toString());
      if (f.raw() != null) {
        boolean cut = f.raw().length() > RAW_LIMIT;
        g.writeStringField("raw", cut ? f.raw().substring(0, RAW_LIMIT) : f.raw());
        if (cut) {
          g.writeBooleanField("rawTruncated", true);
        }
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode a feedback record", e);
    }
    return out.toByteArray();
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
    ByteArrayBuilder out = new ByteArrayBuilder(RECORD_SIZE);
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("type", f.type() == FeedbackType.BOUNCE ? "bounced" : "complained");
      g.writeStringField("jobId", f.jobId());
      g.writeStringField("at", receivedAt.toString());
      g.writeStringField("reportedAt", f.at().toString());
      if (f.recipient() != null) {
        g.writeArrayFieldStart("recipients");
        g.writeString(f.recipient());
        g.writeEndArray();
      }
      if (f.bounceClass() != null) {
        g.writeStringField("bounceClass", f.bounceClass().label());
      }
      g.writeStringField("status", f.status());
      g.writeStringField("diagnostic", f.diagnostic());
      g.writeStringField("provider", f.provider());
      g.writeStringField("providerEventId", f.providerEventId());
      g.writeStringField("relayMessageId", f.relayMessageId());
      g.writeBooleanField("suppressed", f.suppresses());
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode a feedback event", e);
    }
    return out.toByteArray();
  }

  /** The first size of a record's buffer: its fields, and its raw payload as kept, about. */
  static int bufferSize(String raw) {
    // the kept part only (a 16 MiB body would size a 2 MiB buffer); an eighth more for escapes
    int kept = raw == null ? 0 : Math.min(raw.length(), RAW_LIMIT);
    return RECORD_SIZE + kept + kept / 8;
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
}
