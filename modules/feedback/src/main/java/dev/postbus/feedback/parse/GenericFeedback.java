package dev.postbus.feedback.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postbus.feedback.model.BounceClass;
import dev.postbus.feedback.model.Feedback;
import dev.postbus.feedback.model.FeedbackType;
import dev.postbus.feedback.model.Refusal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Postbus's own format for any other source: {@code {"type": "bounce"|"complaint", "bounceClass":
 * "permanent"|"transient"|"undetermined", "recipient": "...", "jobId": "..."}}, and optionally
 * {@code status}, {@code diagnostic}, {@code eventId} (repeats with the same one are dropped),
 * {@code relayMessageId}, {@code at}.
 */
public final class GenericFeedback {

  public static final String PROVIDER = "generic";

  private GenericFeedback() {}

  public static List<Feedback> parse(byte[] body, Instant received) {
    JsonNode n = Json.tree(body, "(body)");
    if (!n.isObject()) {
      throw Refusal.malformed("(body)", "not a JSON object");
    }
    String typeText = Json.required(n, "type", "type");
    FeedbackType type;
    try {
      type = FeedbackType.valueOf(typeText.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw Refusal.malformed("type", "expected bounce, complaint, delay or delivery");
    }
    BounceClass c = null;
    if (type == FeedbackType.BOUNCE) {
      String cls = Json.required(n, "bounceClass", "bounceClass");
      try {
        c = BounceClass.valueOf(cls.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw Refusal.malformed("bounceClass", "expected permanent, transient or undetermined");
      }
    }
    String recipient = Json.required(n, "recipient", "recipient");
    if (!dev.postbus.job.MailAddress.isValid(recipient.strip())) {
      throw Refusal.malformed("recipient", "not a valid email address");
    }
    String jobText = Json.text(n, "jobId");
    String jobId = JobIds.valid(jobText);
    if (jobText != null && jobId == null) {
      throw Refusal.malformed("jobId", "not a job id (docs/job-format.md)");
    }
    return List.of(
        new Feedback(
            type,
            c,
            recipient.strip(),
            Json.text(n, "status"),
            Json.text(n, "diagnostic"),
            jobId,
            Json.text(n, "relayMessageId"),
            PROVIDER,
            Json.text(n, "eventId"),
            Json.time(Json.text(n, "at"), received),
            Json.compact(n)));
  }
}
