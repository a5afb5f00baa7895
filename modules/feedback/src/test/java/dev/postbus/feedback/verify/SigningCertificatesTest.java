package dev.postbus.feedback.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.feedback.SnsMessages;
import dev.postbus.feedback.TestCa;
import dev.postbus.feedback.config.FeedbackConfig;
import dev.postbus.feedback.model.Refusal;
import java.security.KeyPair;
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

  @Test
  void unsignedMessagesNamingNewCertificatesCostFewFetchesAndEvictNoGenuineCertificate()
      throws Exception {
    KeyPair sns = TestCa.rsa();
    X509Certificate genuine = new TestCa().issue("CN=sns.amazonaws.com", sns, null);
    X509Certificate other = signingCertificate();
    AtomicInteger fetched = new AtomicInteger();
    MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS,
            null,
            Duration.ofSeconds(1),
            clock,
            uri -> {
              fetched.incrementAndGet();
              return uri.toString().equals(PEM_URL) ? genuine : other;
            });
    ObjectMapper json = new ObjectMapper();
    JsonNode genuineMessage =
        json.readTree(
            SnsMessages.signed(
                SnsMessages.notification(ARN, "m-0", "{}", clock.now, PEM_URL),
                2,
                sns.getPrivate()));
    deliver(certs, genuineMessage);
    assertThat(fetched).hasValue(1);

    KeyPair attacker = TestCa.rsa();
    int refusedForLoad = 0;
    for (int i = 0; i < 100; i++) {
      String url = "https://sns.eu-west-1.amazonaws.com/" + i + ".pem";
      JsonNode unsigned =
          json.readTree(
              SnsMessages.signed(
                  SnsMessages.notification(ARN, "m-" + i, "{}", clock.now, url),
                  2,
                  attacker.getPrivate()));
      try {
        deliver(certs, unsigned);
      } catch (Refusal r) {
        if (r.status() == 503) {
          refusedForLoad++;
        } else {
          assertThat(r.reason()).isEqualTo("signature");
        }
      }
    }
    assertThat(fetched.get() - 1).as("fetches for 100 new certificate URLs").isLessThan(100);
    assertThat(refusedForLoad).as("refused with 503, for SNS to retry").isPositive();

    assertThat(fetched)
        .as("the minute's fetches, the genuine certificate's included")
        .hasValue(SigningCertificates.NEW_FETCHES_PER_MINUTE);
    int before = fetched.get();
    deliver(certs, genuineMessage);
    assertThat(fetched).as("the genuine certificate is still held").hasValue(before);

    clock.now = clock.now.plus(Duration.ofMinutes(1));
    String next = "https://sns.eu-west-1.amazonaws.com/next.pem";
    JsonNode later =
        json.readTree(
            SnsMessages.signed(
                SnsMessages.notification(ARN, "m-next", "{}", clock.now, next),
                2,
                attacker.getPrivate()));
    assertThatThrownBy(() -> deliver(certs, later))
        .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.reason()).isEqualTo("signature"));
    assertThat(fetched).as("a minute later, fetches again").hasValue(before + 1);
  }

  /** What the SNS endpoint does with a message once its topic and timestamp passed. */
  private static void deliver(SigningCertificates certs, JsonNode m) {
    certs.verify(m, m.path("SigningCertURL").asText(), ARN);
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
