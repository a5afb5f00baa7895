package dev.postbus.feedback.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postbus.feedback.SnsMessages;
import dev.postbus.feedback.TestCa;
import dev.postbus.feedback.model.Refusal;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SnsSignatureTest {

  private static final String ARN = "arn:aws:sns:eu-west-1:123456789012:ses-feedback";
  private static final TestCa CA = new TestCa();
  private static final KeyPair SNS_KEYS = TestCa.rsa();
  private static final X509Certificate SNS_CERT = CA.issue("CN=sns.amazonaws.com", SNS_KEYS, null);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode notification() {
    return SnsMessages.notification(
        ARN,
        "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        SnsMessages.sesComplaint("a@example.com", "<j1@example.com>"),
        Instant.parse("2026-12-02T10:05:02Z"),
        "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem");
  }

  private static JsonNode read(String s) throws Exception {
    return JSON.readTree(s);
  }

  @Test
  void versionOneAndTwoSignaturesVerify() throws Exception {
    for (int version : new int[] {1, 2}) {
      JsonNode m = read(SnsMessages.signed(notification(), version, SNS_KEYS.getPrivate()));
      assertThatCode(() -> SnsSignature.verify(m, SNS_CERT)).doesNotThrowAnyException();
    }
    assertThat(SnsSignature.algorithm(read("{\"SignatureVersion\":\"1\"}")))
        .isEqualTo("SHA1withRSA");
    assertThat(SnsSignature.algorithm(read("{\"SignatureVersion\":\"2\"}")))
        .isEqualTo("SHA256withRSA");
  }

  @Test
  void aSubjectIsSignedOnlyWhenPresentAndASubscriptionSignsItsUrlAndToken() throws Exception {
    ObjectNode withSubject = notification();
    withSubject.put("Subject", "Amazon SES Email Event Notification");
    JsonNode m = read(SnsMessages.signed(withSubject, 2, SNS_KEYS.getPrivate()));
    assertThatCode(() -> SnsSignature.verify(m, SNS_CERT)).doesNotThrowAnyException();
    assertThat(SnsSignature.canonical(m))
        .contains("Subject\nAmazon SES Email Event Notification\n");

    ObjectNode sub =
        SnsMessages.subscription(
            ARN,
            "165545c9",
            "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription",
            Instant.parse("2026-12-02T10:05:02Z"),
            "https://sns.eu-west-1.amazonaws.com/x.pem");
    JsonNode s = read(SnsMessages.signed(sub, 1, SNS_KEYS.getPrivate()));
    assertThatCode(() -> SnsSignature.verify(s, SNS_CERT)).doesNotThrowAnyException();
    ObjectNode otherUrl = (ObjectNode) s.deepCopy();
    otherUrl.put("SubscribeURL", "https://sns.eu-west-1.amazonaws.com/?Action=Other");
    assertThatThrownBy(() -> SnsSignature.verify(otherUrl, SNS_CERT))
        .isInstanceOf(Refusal.class)
        .hasMessageContaining("does not verify");
  }

  @Test
  void aTamperedMessageOrAnotherKeyIsRefused() throws Exception {
    ObjectNode tampered =
        (ObjectNode) read(SnsMessages.signed(notification(), 2, SNS_KEYS.getPrivate()));
    tampered.put("Message", tampered.get("Message").asText().replace("abuse", "not-spam"));
    assertThatThrownBy(() -> SnsSignature.verify(tampered, SNS_CERT))
        .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.status()).isEqualTo(403));

    JsonNode otherKey = read(SnsMessages.signed(notification(), 2, TestCa.rsa().getPrivate()));
    assertThatThrownBy(() -> SnsSignature.verify(otherKey, SNS_CERT))
        .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.reason()).isEqualTo("signature"));
  }

  @Test
  void anUnknownSignatureVersionIsRefused() throws Exception {
    ObjectNode m = (ObjectNode) read(SnsMessages.signed(notification(), 2, SNS_KEYS.getPrivate()));
    m.put("SignatureVersion", "3");
    assertThatThrownBy(() -> SnsSignature.verify(m, SNS_CERT))
        .isInstanceOf(Refusal.class)
        .hasMessageContaining("SignatureVersion");
  }
}
