package dev.postbus.feedback.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postbus.feedback.model.BounceClass;
import dev.postbus.feedback.model.Feedback;
import dev.postbus.feedback.model.FeedbackType;
import dev.postbus.feedback.model.Refusal;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A Postmark webhook record: {@code RecordType} Bounce (by {@code Type}: HardBounce,
 * BadEmailAddress and ManuallyDeactivated permanent; SoftBounce, Transient and DnsError transient;
 * the rest, such as AutoResponder or Blocked, undetermined) or SpamComplaint. Other record types
 * (Delivery, Open...) give none. {@code Metadata} comes from {@code X-PM-Metadata-<key>} headers.
 */
public final class PostmarkRecords {

  public static final String PROVIDER = "postmark";

  private static final Set<String> PERMANENT =
      Set.of("HardBounce", "BadEmailAddress", "ManuallyDeactivated");
  private static final Set<String> TRANSIENT = Set.of("SoftBounce", "Transient", "DnsError");

  private PostmarkRecords() {}

  public static List<Feedback> parse(byte[] body, Instant received) {
    JsonNode n = Json.tree(body, "(body)");
    if (!n.isObject()) {
      throw Refusal.malformed("(body)", "not a JSON object");
    }
    String recordType = Json.required(n, "RecordType", "RecordType");
    FeedbackType type;
    BounceClass c = null;
    String bounceType = Json.text(n, "Type");
    if (recordType.equals("Bounce")) {
      type = FeedbackType.BOUNCE;
      c =
          PERMANENT.contains(bounceType)
              ? BounceClass.PERMANENT
              : TRANSIENT.contains(bounceType) ? BounceClass.TRANSIENT : BounceClass.UNDETERMINED;
    } else if (recordType.equals("SpamComplaint")) {
      type = FeedbackType.COMPLAINT;
    } else {
      return List.of();
    }
    String id = Json.required(n, "ID", "ID");
    String relayId = Json.text(n, "MessageID");
    String details = Json.text(n, "Details");
    return List.of(
        new Feedback(
            type,
            c,
            Json.text(n, "Email"),
            bounceType,
            details != null && !details.isBlank() ? details : Json.text(n, "Description"),
            JobIds.fromMetadata(Json.strings(n.path("Metadata"))),
            relayId,
            PROVIDER,
            recordType + ":" + id,
            Json.time(Json.text(n, "BouncedAt"), received),
            Json.compact(n)));
  }
}
