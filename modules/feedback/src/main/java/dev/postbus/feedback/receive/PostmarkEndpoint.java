package dev.postbus.feedback.receive;

import dev.postbus.feedback.model.Refusal;
import dev.postbus.feedback.parse.PostmarkRecords;
import dev.postbus.feedback.verify.Credentials;
import java.time.Clock;

/**
 * {@code POST /feedback/postmark}: Postmark signs nothing, so the webhook URL carries HTTP Basic
 * credentials (any user name, the password of {@code feedback.postmark.password-file}).
 */
public final class PostmarkEndpoint implements Endpoint {

  private final String password;
  private final Intake intake;
  private final Clock clock;

  public PostmarkEndpoint(String password, Intake intake, Clock clock) {
    this.password = password;
    this.intake = intake;
    this.clock = clock;
  }

  @Override
  public String provider() {
    return PostmarkRecords.PROVIDER;
  }

  @Override
  public Answer handle(Request request) {
    if (password == null) {
      throw Refusal.forbidden("not-configured", "feedback.postmark.password-file is not set");
    }
    String given = Credentials.basicPassword(request.header("Authorization"));
    if (given == null) {
      throw Refusal.unauthorized("HTTP Basic credentials are required");
    }
    if (!Credentials.same(password, given)) {
      throw Refusal.forbidden("credentials", "wrong password");
    }
    return intake.take(provider(), PostmarkRecords.parse(request.body(), clock.instant()));
  }
}
