package dev.postbus.feedback.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.feedback.config.FeedbackConfig;
import dev.postbus.feedback.model.Refusal;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SigningCertificatesTest {

  private final SigningCertificates certificates =
      new SigningCertificates(
          FeedbackConfig.SNS_HOSTS, null, Duration.ofSeconds(1), Clock.systemUTC());

  @Test
  void onlyHttpsFromAnSnsRegionHostIsAllowed() {
    assertThat(
            certificates
                .allowed(
                    "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem", "f")
                .getHost())
        .isEqualTo("sns.eu-west-1.amazonaws.com");
    for (String url :
        new String[] {
          "http://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem",
          "https://sns.eu-west-1.amazonaws.com.evil.example/x.pem",
          "https://evil.example/sns.eu-west-1.amazonaws.com/x.pem",
          "https://sns.eu-west-1.amazonaws.com@evil.example/x.pem",
          "https://user@sns.eu-west-1.amazonaws.com/x.pem",
          "https://s3.amazonaws.com/x.pem",
          "file:///etc/passwd",
          "not a url"
        }) {
      assertThatThrownBy(() -> certificates.allowed(url, "SigningCertURL"))
          .as(url)
          .isInstanceOfSatisfying(
              Refusal.class, r -> assertThat(r.reason()).isEqualTo("certificate-url"));
    }
  }

  private static final String ARN = "arn:aws:sns:eu-west-1:123456789012:ses-feedback";

  @Test
  void theSnsHostMustServeTheTopicsRegion() {
    assertThat(
            certificates
                .allowed(
                    "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-a.pem", "f", ARN)
                .getHost())
        .isEqualTo("sns.eu-west-1.amazonaws.com");
    for (String url :
        new String[] {
          "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem",
          "https://sns.eu-west-2.amazonaws.com/SimpleNotificationService-a.pem",
          "https://sns.eu-west-1a.amazonaws.com/SimpleNotificationService-a.pem"
        }) {
      assertThatThrownBy(() -> certificates.allowed(url, "SigningCertURL", ARN))
          .as(url)
          .isInstanceOfSatisfying(
              Refusal.class,
              r -> {
                assertThat(r.status()).isEqualTo(403);
                assertThat(r.reason()).isEqualTo("region");
              });
    }
    assertThatThrownBy(
            () ->
                certificates.allowed(
                    "https://sns.eu-west-1.amazonaws.com/x.pem", "SigningCertURL", "not-an-arn"))
        .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.reason()).isEqualTo("region"));
  }

  @Test
  void aCertificateUrlMustNameAPemFile() {
    assertThatThrownBy(
            () -> certificates.certificate("https://sns.eu-west-1.amazonaws.com/x.txt", ARN))
        .isInstanceOf(Refusal.class)
        .hasMessageContaining(".pem");
  }
}
