package dev.postbus.feedback.model;

import java.time.Instant;
import java.util.Objects;

/**
 * One report about one recipient of one message, as written on {@code <topic>.feedback}.
 *
 * @param bounceClass for a bounce; null for other types
 * @param recipient the address the report is about, or null when the report names none
 * @param status the enhanced status code (5.1.1) or the provider's status, or null
 * @param diagnostic the remote server's words or the provider's reason, or null
 * @param jobId the Postbus job, when the report could be correlated; else null
 * @param relayMessageId the relay's own id of the message (SES message id, Postmark MessageID...)
 * @param provider ses, sendgrid, postmark, mailgun or generic
 * @param providerEventId the provider's id of this report (repeats carry the same), or null
 * @param at when the provider says it happened (the receipt time when it does not say)
 * @param raw the provider's payload for this report, at most {@link FeedbackCodec#RAW_LIMIT}
 *     characters are kept on the topic
 */
public record Feedback(
    FeedbackType type,
    BounceClass bounceClass,
    String recipient,
    String status,
    String diagnostic,
    String jobId,
    String relayMessageId,
    String provider,
    String providerEventId,
    Instant at,
    String raw) {

  public Feedback {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(at, "at");
    if (type == FeedbackType.BOUNCE) {
      Objects.requireNonNull(bounceClass, "bounceClass");
    }
  }

  /** A permanent bounce or a complaint: the address goes on the suppression list. */
  public boolean suppresses() {
    return recipient != null
        && (type == FeedbackType.COMPLAINT
            || (type == FeedbackType.BOUNCE && bounceClass == BounceClass.PERMANENT));
  }

  /** The record key on the feedback topic: the job id, else the recipient, else the event id. */
  public String key() {
    if (jobId != null) {
      return jobId;
    }
    return recipient != null ? recipient : providerEventId;
  }

  /** Never shows the address or the payload, so a report can be logged. */
  @Override
  public String toString() {
    return "Feedback["
        + provider
        + " "
        + type.label()
        + (bounceClass == null ? "" : " " + bounceClass.label())
        + (status == null ? "" : " " + status)
        + ", job "
        + (jobId == null ? "(uncorrelated)" : jobId)
        + ", event "
        + providerEventId
        + "]";
  }
}
