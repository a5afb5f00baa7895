package dev.postbus.feedback.receive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.feedback.SnsMessages;
import dev.postbus.feedback.TestCa;
import dev.postbus.feedback.config.FeedbackConfig;
import dev.postbus.feedback.model.Refusal;
import dev.postbus.feedback.verify.Freshness;
import dev.postbus.feedback.verify.SigningCertificates;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class SesEndpointTest {

  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String ARN = "arn:aws:sns:eu-west-1:123456789012:ses-feedback";

  private final SesEndpoint endpoint =
      new SesEndpoint(
          List.of(ARN),
          new SigningCertificates(FeedbackConfig.SNS_HOSTS, null, Duration.ofSeconds(1), CLOCK),
          new Freshness(CLOCK, Duration.ofHours(1)),
          null, // never reached: the message is refused before
          CLOCK);

  private static Request request(String body) {
    return new Request(h -> null, body.getBytes(StandardCharsets.UTF_8), false);
  }

  @Test
  void aSigningCertificateOfAnotherRegionThanTheTopicIsRefusedBeforeItIsFetched() {
    String fromUsEast =
        SnsMessages.signed(
            SnsMessages.notification(
                ARN,
                "sns-region-1",
                "{}",
                NOW,
                "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem"),
            2,
            TestCa.rsa().getPrivate());
    assertThatThrownBy(() -> endpoint.handle(request(fromUsEast)))
        .isInstanceOfSatisfying(
            Refusal.class,
            r -> {
              assertThat(r.status()).isEqualTo(403);
              assertThat(r.reason()).isEqualTo("region");
            })
        .hasMessageContaining("us-east-1")
        .hasMessageContaining("eu-west-1");
  }

  @Test
  void aSubscribeUrlOfAnotherRegionThanTheTopicIsRefused() {
    String subscription =
        SnsMessages.signed(
            SnsMessages.subscription(
                ARN,
                "sns-region-2",
                "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription",
                NOW,
                "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem"),
            2,
            TestCa.rsa().getPrivate());
    assertThatThrownBy(() -> endpoint.handle(request(subscription)))
        .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.reason()).isEqualTo("region"));
  }
}
