package dev.postbus.feedback.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.feedback.TestCa;
import dev.postbus.feedback.config.FeedbackConfig;
import dev.postbus.feedback.model.Refusal;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
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

  private static final String PEM_URL =
      "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-a.pem";

  @Test
  void aCheckedPairDoesNotLetTheSameUrlServeATopicOfAnotherRegion() {
    AtomicInteger fetched = new AtomicInteger();
    X509Certificate cert = signingCertificate();
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS,
            null,
            Duration.ofSeconds(1),
            Clock.systemUTC(),
            uri -> {
              fetched.incrementAndGet();
              return cert;
            });

    assertThat(certs.certificate(PEM_URL, ARN)).isSameAs(cert);
    assertThat(certs.certificate(PEM_URL, ARN)).isSameAs(cert);
    assertThatThrownBy(
            () -> certs.certificate(PEM_URL, "arn:aws:sns:us-east-1:123456789012:ses-feedback"))
        .isInstanceOfSatisfying(
            Refusal.class,
            r -> {
              assertThat(r.status()).isEqualTo(403);
              assertThat(r.reason()).isEqualTo("region");
              assertThat(r.getMessage()).contains("eu-west-1", "us-east-1");
            });
    assertThat(fetched).hasValue(1);
  }

  @Test
  void aCheckedPairIsRefusedOnceItsCertificateHasExpired() {
    X509Certificate cert = signingCertificate();
    MutableClock clock = new MutableClock(Instant.now());
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS, null, Duration.ofSeconds(1), clock, uri -> cert);
    assertThat(certs.certificate(PEM_URL, ARN)).isSameAs(cert);

    clock.now = cert.getNotAfter().toInstant().plusSeconds(1);

    assertThatThrownBy(() -> certs.certificate(PEM_URL, ARN))
        .isInstanceOfSatisfying(
            Refusal.class,
            r -> {
              assertThat(r.status()).isEqualTo(403);
              assertThat(r.reason()).isEqualTo("certificate");
            });
  }

  private static X509Certificate signingCertificate() {
    return new TestCa().issue("CN=sns.amazonaws.com", TestCa.rsa(), null);
  }

  /** A clock a test moves. */
  private static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
