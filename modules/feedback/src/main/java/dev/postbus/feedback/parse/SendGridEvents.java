package dev.postbus.feedback.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postbus.feedback.model.BounceClass;
import dev.postbus.feedback.model.Feedback;
import dev.postbus.feedback.model.FeedbackType;
import dev.postbus.feedback.model.Refusal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A batch of SendGrid Event Webhook events (a JSON array). {@code bounce} (type {@code blocked}:
 * transient; else permanent), {@code dropped} (permanent when SendGrid dropped the address as
 * bounced, invalid or a spam reporter; else undetermined), {@code spamreport} (complaint), {@code
 * deferred} (delay) and {@code delivered}; other events (open, click...) give none. Custom args
 * come back as top-level fields of each event.
 */
public final class SendGridEvents {

  public static final String PROVIDER = "sendgrid";

  private SendGridEvents() {}

  public static List<Feedback> parse(byte[] body, Instant received) {
    JsonNode batch = Json.tree(body, "(body)");
    if (!batch.isArray()) {
      throw Refusal.malformed("(body)", "not a JSON array of events");
    }
    List<Feedback> out = new ArrayList<>();
    int i = 0;
    for (JsonNode e : batch) {
      Feedback f = one(e, i++, received);
      if (f != null) {
        out.add(f);
      }
    }
    return out;
  }

  private static Feedback one(JsonNode e, int index, Instant received) {
    String event = Json.text(e, "event");
    if (event == null) {
      throw Refusal.malformed("[" + index + "].event", "missing");
    }
    FeedbackType type;
    BounceClass c = null;
    String reason = Json.text(e, "reason");
    switch (event) {
      case "bounce" -> {
        type = FeedbackType.BOUNCE;
        c = "blocked".equals(Json.text(e, "type")) ? BounceClass.TRANSIENT : BounceClass.PERMANENT;
      }
      case "dropped" -> {
        type = FeedbackType.BOUNCE;
        String r = reason == null ? "" : reason.toLowerCase(Locale.ROOT);
        c =
            r.contains("bounced address") || r.contains("invalid") || r.contains("spam reporting")
                ? BounceClass.PERMANENT
                : BounceClass.UNDETERMINED;
      }
      case "spamreport" -> type = FeedbackType.COMPLAINT;
      case "deferred" -> type = FeedbackType.DELAY;
      case "delivered" -> type = FeedbackType.DELIVERY;
      default -> {
        return null;
      }
    }
    String eventId = Json.required(e, "[" + index + "].sg_event_id", "sg_event_id");
    String relayId = Json.text(e, "sg_message_id");
    String jobId =
        JobIds.first(
            JobIds.fromMessageId(Json.text(e, "smtp-id"), relayId),
            JobIds.fromMetadata(Json.strings(e)));
    String seconds = Json.text(e, "timestamp");
    Instant at = seconds == null ? received : safeSeconds(seconds, received);
    return new Feedback(
        type,
        c,
        Json.text(e, "email"),
        Json.text(e, "status"),
        reason != null ? reason : Json.text(e, "response"),
        jobId,
        relayId,
        PROVIDER,
        eventId,
        at,
        Json.compact(e));
  }

  private static Instant safeSeconds(String text, Instant fallback) {
    try {
      return Instant.ofEpochSecond(Long.parseLong(text.strip()));
    } catch (NumberFormatException | java.time.DateTimeException e) {
      return fallback;
    }
  }
}
