package dev.postbus.feedback.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postbus.feedback.model.BounceClass;
import dev.postbus.feedback.model.Feedback;
import dev.postbus.feedback.model.FeedbackType;
import dev.postbus.feedback.model.Refusal;
import java.time.Instant;
import java.util.List;

/**
 * The {@code event-data} of a Mailgun webhook: {@code failed} with {@code severity} permanent or
 * temporary, {@code complained}, {@code delivered}; others give none. {@code user-variables} come
 * from {@code X-Mailgun-Variables}.
 */
public final class MailgunEvents {

  public static final String PROVIDER = "mailgun";

  private MailgunEvents() {}

  public static List<Feedback> parse(JsonNode webhook, Instant received) {
    JsonNode e = webhook.path("event-data");
    if (!e.isObject()) {
      throw Refusal.malformed("event-data", "missing");
    }
    String event = Json.required(e, "event-data.event", "event");
    FeedbackType type;
    BounceClass c = null;
    switch (event) {
      case "failed" -> {
        type = FeedbackType.BOUNCE;
        String severity = Json.text(e, "severity");
        c =
            "permanent".equals(severity)
                ? BounceClass.PERMANENT
                : "temporary".equals(severity) ? BounceClass.TRANSIENT : BounceClass.UNDETERMINED;
      }
      case "complained" -> type = FeedbackType.COMPLAINT;
      case "delivered" -> type = FeedbackType.DELIVERY;
      default -> {
        return List.of();
      }
    }
    String messageId = Json.text(e, "message", "headers", "message-id");
    JsonNode status = e.path("delivery-status");
    String enhanced = Json.text(status, "enhanced-code");
    String description = Json.text(status, "description");
    String statusMessage = Json.text(status, "message");
    String diagnostic =
        description != null && !description.isBlank()
            ? description
            : statusMessage != null && !statusMessage.isBlank()
                ? statusMessage
                : Json.text(e, "reason");
    String seconds = Json.text(e, "timestamp");
    Instant at = received;
    if (seconds != null) {
      try {
        at = Instant.ofEpochMilli((long) (Double.parseDouble(seconds) * 1000));
      } catch (NumberFormatException ignored) {
        // the receipt time stands
      }
    }
    return List.of(
        new Feedback(
            type,
            c,
            Json.text(e, "recipient"),
            enhanced != null ? enhanced : Json.text(status, "code"),
            diagnostic,
            JobIds.first(
                JobIds.fromMessageId(messageId, null),
                JobIds.fromMetadata(Json.strings(e.path("user-variables")))),
            messageId,
            PROVIDER,
            Json.required(e, "event-data.id", "id"),
            at,
            Json.compact(e)));
  }
}
