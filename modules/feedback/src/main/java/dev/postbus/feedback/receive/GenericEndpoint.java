package dev.postbus.feedback.receive;

import dev.postbus.feedback.model.Refusal;
import dev.postbus.feedback.parse.GenericFeedback;
import dev.postbus.feedback.verify.Credentials;
import java.time.Clock;

/**
 * {@code POST /feedback/generic}: Postbus's own JSON, with a bearer token ({@code
 * feedback.generic.token-file}); in {@code postbus dev} loopback callers need none, when they are
 * not a web page ({@link DevLoopbackPolicy}).
 */
public final class GenericEndpoint implements Endpoint {

  private final String token;
  private final boolean loopbackWithoutToken;
  private final Intake intake;
  private final Clock clock;

  public GenericEndpoint(String token, boolean loopbackWithoutToken, Intake intake, Clock clock) {
    this.token = token;
    this.loopbackWithoutToken = loopbackWithoutToken;
    this.intake = intake;
    this.clock = clock;
  }

  @Override
  public String provider() {
    return GenericFeedback.PROVIDER;
  }

  @Override
  public Answer handle(Request request) {
    if (loopbackWithoutToken && request.loopback()) {
      DevLoopbackPolicy.check(request);
    } else {
      if (token == null) {
        throw Refusal.forbidden("not-configured", "feedback.generic.token-file is not set");
      }
      String given = Credentials.bearer(request.header("Authorization"));
      if (given == null) {
        throw Refusal.unauthorized("a bearer token is required");
      }
      if (!Credentials.same(token, given)) {
        throw Refusal.forbidden("credentials", "wrong token");
      }
    }
    return intake.take(provider(), GenericFeedback.parse(request.body(), clock.instant()));
  }
}
