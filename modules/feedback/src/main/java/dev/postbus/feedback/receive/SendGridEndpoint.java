package dev.postbus.feedback.receive;

import dev.postbus.feedback.model.Refusal;
import dev.postbus.feedback.parse.SendGridEvents;
import dev.postbus.feedback.verify.Freshness;
import dev.postbus.feedback.verify.SendGridSignature;
import java.security.PublicKey;
import java.time.Clock;

/**
 * {@code POST /feedback/sendgrid}: SendGrid's signed Event Webhook, ECDSA over the timestamp header
 * and the raw body with the configured public key; the timestamp must be fresh.
 */
public final class SendGridEndpoint implements Endpoint {

  static final String SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature";
  static final String TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp";

  private final PublicKey key;
  private final Freshness freshness;
  private final Intake intake;
  private final Clock clock;

  public SendGridEndpoint(PublicKey key, Freshness freshness, Intake intake, Clock clock) {
    this.key = key;
    this.freshness = freshness;
    this.intake = intake;
    this.clock = clock;
  }

  @Override
  public String provider() {
    return SendGridEvents.PROVIDER;
  }

  @Override
  public Answer handle(Request request) {
    if (key == null) {
      throw Refusal.forbidden("not-configured", "feedback.sendgrid.public-key is not set");
    }
    String signature = request.header(SIGNATURE);
    String timestamp = request.header(TIMESTAMP);
    if (signature == null || timestamp == null) {
      throw Refusal.unauthorized(SIGNATURE + " and " + TIMESTAMP + " are required");
    }
    if (!SendGridSignature.verify(key, timestamp, request.body(), signature)) {
      throw Refusal.forbidden("signature", "the SendGrid signature does not verify");
    }
    freshness.check(Freshness.epochSeconds(timestamp, TIMESTAMP), TIMESTAMP);
    return intake.take(provider(), SendGridEvents.parse(request.body(), clock.instant()));
  }
}
