package dev.postbus.feedback.receive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postbus.feedback.model.Refusal;
import dev.postbus.feedback.parse.IsoInstants;
import dev.postbus.feedback.parse.Json;
import dev.postbus.feedback.parse.SesNotifications;
import dev.postbus.feedback.verify.Freshness;
import dev.postbus.feedback.verify.SigningCertificates;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /feedback/ses}: SNS messages from an allowed TopicArn, fresh, signed (version 1 or 2)
 * with the certificate of their SigningCertURL. A SubscriptionConfirmation is confirmed by a GET of
 * its SubscribeURL; a Notification carries an SES notification.
 */
public final class SesEndpoint implements Endpoint {

  private static final Logger log = LoggerFactory.getLogger(SesEndpoint.class);

  private final List<String> topicArns;
  private final SigningCertificates certificates;
  private final Freshness freshness;
  private final Intake intake;
  private final Clock clock;

  public SesEndpoint(
      List<String> topicArns,
      SigningCertificates certificates,
      Freshness freshness,
      Intake intake,
      Clock clock) {
    this.topicArns = List.copyOf(topicArns);
    this.certificates = certificates;
    this.freshness = freshness;
    this.intake = intake;
    this.clock = clock;
  }

  @Override
  public String provider() {
    return SesNotifications.PROVIDER;
  }

  @Override
  public Answer handle(Request request) {
    if (topicArns.isEmpty()) {
      throw Refusal.forbidden("not-configured", "feedback.ses.topic-arns is not set");
    }
    JsonNode m = Json.tree(request.body(), "(body)");
    if (!m.isObject()) {
      throw Refusal.malformed("(body)", "not an SNS message");
    }
    String type = Json.required(m, "Type", "Type");
    String announced = request.header("x-amz-sns-message-type");
    if (announced != null && !announced.equals(type)) {
      throw Refusal.malformed("x-amz-sns-message-type", "does not match Type");
    }
    String topicArn = Json.required(m, "TopicArn", "TopicArn");
    if (!topicArns.contains(topicArn)) {
      throw Refusal.forbidden("topic", "TopicArn is not one of feedback.ses.topic-arns");
    }
    freshness.check(timestamp(m), "Timestamp");
    certificates.verify(m, Json.required(m, "SigningCertURL", "SigningCertURL"), topicArn);
    return switch (type) {
      case "SubscriptionConfirmation" -> confirm(m, topicArn);
      case "UnsubscribeConfirmation" -> {
        log.info("SNS unsubscribed {} from this endpoint", topicArn);
        yield new Answer(200, "noted\n");
      }
      default ->
          intake.take(
              provider(),
              SesNotifications.parse(
                  Json.required(m, "Message", "Message"),
                  Json.required(m, "MessageId", "MessageId"),
                  clock.instant()));
    };
  }

  private Answer confirm(JsonNode m, String topicArn) {
    certificates.confirm(Json.required(m, "SubscribeURL", "SubscribeURL"), topicArn);
    log.info("SNS subscription to {} confirmed", topicArn);
    return new Answer(200, "subscription confirmed\n");
  }

  private static Instant timestamp(JsonNode m) {
    try {
      return IsoInstants.instant(Json.required(m, "Timestamp", "Timestamp"));
    } catch (DateTimeParseException e) {
      throw Refusal.malformed("Timestamp", "not an ISO-8601 time");
    }
  }
}
