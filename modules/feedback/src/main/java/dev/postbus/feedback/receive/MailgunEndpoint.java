package dev.postbus.feedback.receive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postbus.feedback.model.Refusal;
import dev.postbus.feedback.parse.Json;
import dev.postbus.feedback.parse.MailgunEvents;
import dev.postbus.feedback.verify.Freshness;
import dev.postbus.feedback.verify.MailgunSignature;
import dev.postbus.feedback.verify.MailgunTokens;
import java.time.Clock;

/**
 * {@code POST /feedback/mailgun}: the body's {@code signature} object, an HMAC-SHA256 of timestamp
 * and token with the signing key; the timestamp must be fresh, and the token not seen with another
 * body (the HMAC does not cover {@code event-data}). The event id must be unseen to be written.
 */
public final class MailgunEndpoint implements Endpoint {

  private final String signingKey;
  private final Freshness freshness;
  private final MailgunTokens tokens;
  private final Intake intake;
  private final Clock clock;

  public MailgunEndpoint(
      String signingKey, Freshness freshness, MailgunTokens tokens, Intake intake, Clock clock) {
    this.signingKey = signingKey;
    this.freshness = freshness;
    this.tokens = tokens;
    this.intake = intake;
    this.clock = clock;
  }

  @Override
  public String provider() {
    return MailgunEvents.PROVIDER;
  }

  @Override
  public Answer handle(Request request) {
    if (signingKey == null) {
      throw Refusal.forbidden("not-configured", "feedback.mailgun.signing-key-file is not set");
    }
    JsonNode body = Json.tree(request.body(), "(body)");
    JsonNode s = body.path("signature");
    String timestamp = Json.text(s, "timestamp");
    String token = Json.text(s, "token");
    String signature = Json.text(s, "signature");
    if (timestamp == null || token == null || signature == null) {
      throw Refusal.unauthorized("signature.timestamp, .token and .signature are required");
    }
    if (!MailgunSignature.verify(signingKey, timestamp, token, signature)) {
      throw Refusal.forbidden("signature", "the Mailgun signature does not verify");
    }
    freshness.check(
        Freshness.epochSeconds(timestamp, "signature.timestamp"), "signature.timestamp");
    tokens.accept(token, request.body());
    return intake.take(provider(), MailgunEvents.parse(body, clock.instant()));
  }
}
