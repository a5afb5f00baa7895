package dev.postbus.feedback.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postbus.feedback.model.BounceClass;
import dev.postbus.feedback.model.Feedback;
import dev.postbus.feedback.model.FeedbackType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An SES notification (the {@code Message} of an SNS notification): Bounce, Complaint, Delivery, or
 * with event publishing DeliveryDelay; one report per recipient. Other types (Send, Open...) give
 * none. Fields per docs.aws.amazon.com/ses/latest/dg/notification-contents.html.
 */
public final class SesNotifications {

  public static final String PROVIDER = "ses";

  private SesNotifications() {}

  public static List<Feedback> parse(String message, String snsMessageId, Instant received) {
    JsonNode n = Json.tree(message, "Message");
    String kind = Json.text(n, "notificationType");
    if (kind == null) {
      kind = Json.text(n, "eventType"); // configuration-set event publishing
    }
    if (kind == null) {
      throw dev.postbus.feedback.model.Refusal.malformed(
          "Message.notificationType", "missing (not an SES notification)");
    }
    JsonNode mail = n.path("mail");
    String relayId = Json.text(mail, "messageId");
    String jobId = jobId(mail, relayId);
    List<Feedback> out = new ArrayList<>();
    switch (kind) {
      case "Bounce" -> {
        JsonNode b = n.path("bounce");
        BounceClass c = bounceClass(Json.text(b, "bounceType"));
        Instant at = Json.time(Json.text(b, "timestamp"), received);
        for (JsonNode r : b.path("bouncedRecipients")) {
          out.add(
              new Feedback(
                  FeedbackType.BOUNCE,
                  c,
                  Json.text(r, "emailAddress"),
                  Json.text(r, "status"),
                  diagnostic(Json.text(r, "diagnosticCode"), Json.text(b, "bounceSubType")),
                  jobId,
                  relayId,
                  PROVIDER,
                  snsMessageId,
                  at,
                  message));
        }
      }
      case "Complaint" -> {
        JsonNode c = n.path("complaint");
        Instant at = Json.time(Json.text(c, "timestamp"), received);
        for (JsonNode r : c.path("complainedRecipients")) {
          out.add(
              new Feedback(
                  FeedbackType.COMPLAINT,
                  null,
                  Json.text(r, "emailAddress"),
                  null,
                  Json.text(c, "complaintFeedbackType"),
                  jobId,
                  relayId,
                  PROVIDER,
                  snsMessageId,
                  at,
                  message));
        }
      }
      case "Delivery" -> {
        JsonNode d = n.path("delivery");
        Instant at = Json.time(Json.text(d, "timestamp"), received);
        for (JsonNode r : d.path("recipients")) {
          out.add(
              new Feedback(
                  FeedbackType.DELIVERY,
                  null,
                  r.asText(),
                  null,
                  Json.text(d, "smtpResponse"),
                  jobId,
                  relayId,
                  PROVIDER,
                  snsMessageId,
                  at,
                  message));
        }
      }
      case "DeliveryDelay" -> {
        JsonNode d = n.path("deliveryDelay");
        Instant at = Json.time(Json.text(d, "timestamp"), received);
        for (JsonNode r : d.path("delayedRecipients")) {
          out.add(
              new Feedback(
                  FeedbackType.DELAY,
                  null,
                  Json.text(r, "emailAddress"),
                  Json.text(r, "status"),
                  diagnostic(Json.text(r, "diagnosticCode"), Json.text(d, "delayType")),
                  jobId,
                  relayId,
                  PROVIDER,
                  snsMessageId,
                  at,
                  message));
        }
      }
      default -> {
        // Send, Reject, Open, Click, Rendering Failure, Subscription: not feedback about delivery
      }
    }
    return out;
  }

  static BounceClass bounceClass(String bounceType) {
    if ("Permanent".equals(bounceType)) {
      return BounceClass.PERMANENT;
    }
    return "Transient".equals(bounceType) ? BounceClass.TRANSIENT : BounceClass.UNDETERMINED;
  }

  /** X-Postbus-Job among the original headers, then the Message-ID, then the SES tags. */
  private static String jobId(JsonNode mail, String relayId) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (JsonNode h : mail.path("headers")) {
      String name = Json.text(h, "name");
      if (name != null && Json.text(h, "value") != null) {
        headers.putIfAbsent(name.toLowerCase(java.util.Locale.ROOT), Json.text(h, "value"));
      }
    }
    Map<String, String> tags = new LinkedHashMap<>();
    mail.path("tags")
        .fields()
        .forEachRemaining(
            e -> {
              JsonNode v = e.getValue();
              tags.put(e.getKey(), v.isArray() && v.size() > 0 ? v.get(0).asText() : v.asText());
            });
    return JobIds.first(
        JobIds.valid(headers.get(JobIds.HEADER.toLowerCase(java.util.Locale.ROOT))),
        JobIds.fromMessageId(Json.text(mail, "commonHeaders", "messageId"), relayId),
        JobIds.fromMessageId(headers.get("message-id"), relayId),
        JobIds.fromMetadata(tags));
  }

  private static String diagnostic(String diagnostic, String fallback) {
    return diagnostic != null ? diagnostic : fallback;
  }
}
