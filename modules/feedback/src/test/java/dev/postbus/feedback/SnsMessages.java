package dev.postbus.feedback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * SNS messages as SNS sends them (docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats),
 * signed with a test key; and SES notifications as SES writes them
 * (docs.aws.amazon.com/ses/latest/dg/notification-contents.html).
 */
public final class SnsMessages {

  private static final ObjectMapper JSON = new ObjectMapper();

  private SnsMessages() {}

  public static ObjectNode notification(
      String topicArn, String messageId, String message, Instant at, String certUrl) {
    ObjectNode n = JSON.createObjectNode();
    n.put("Type", "Notification");
    n.put("MessageId", messageId);
    n.put("TopicArn", topicArn);
    n.put("Message", message);
    n.put("Timestamp", at.toString());
    n.put("SigningCertURL", certUrl);
    n.put(
        "UnsubscribeURL",
        "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
            + topicArn
            + ":1");
    return n;
  }

  public static ObjectNode subscription(
      String topicArn, String messageId, String subscribeUrl, Instant at, String certUrl) {
    ObjectNode n = JSON.createObjectNode();
    n.put("Type", "SubscriptionConfirmation");
    n.put("MessageId", messageId);
    n.put("Token", "2336412f37fb687f5d51e6e2425c464de12884d5e5e0d8b8a1d3c7d5bcb4f8e0");
    n.put("TopicArn", topicArn);
    n.put(
        "Message",
        "You have chosen to subscribe to the topic " + topicArn + ".\nTo confirm, visit the URL.");
    n.put("SubscribeURL", subscribeUrl);
    n.put("Timestamp", at.toString());
    n.put("SigningCertURL", certUrl);
    return n;
  }

  /** Adds SignatureVersion and Signature over SNS's canonical string, written out here again. */
  public static String signed(ObjectNode n, int version, PrivateKey key) {
    List<String> fields =
        n.get("Type").asText().equals("Notification")
            ? List.of("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
            : List.of(
                "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type");
    StringBuilder canonical = new StringBuilder();
    for (String f : fields) {
      if (n.hasNonNull(f)) {
        canonical.append(f).append('\n').append(n.get(f).asText()).append('\n');
      }
    }
    try {
      Signature s = Signature.getInstance(version == 1 ? "SHA1withRSA" : "SHA256withRSA");
      s.initSign(key);
      s.update(canonical.toString().getBytes(StandardCharsets.UTF_8));
      n.put("SignatureVersion", Integer.toString(version));
      n.put("Signature", Base64.getEncoder().encodeToString(s.sign()));
      return JSON.writeValueAsString(n);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An SES bounce notification with the original headers included. */
  public static String sesBounce(
      String bounceType, String recipient, String jobHeader, String messageIdHeader) {
    return """
        {"notificationType":"Bounce",
         "bounce":{"feedbackId":"0102018c-5a0c-4a9f-b0b7-d0e1c1a7c0aa-000000","bounceType":"%s",
           "bounceSubType":"General",
           "bouncedRecipients":[{"emailAddress":"%s","action":"failed","status":"5.1.1",
             "diagnosticCode":"smtp; 550 5.1.1 user unknown"}],
           "timestamp":"2026-12-02T10:00:05.000Z","remoteMtaIp":"192.0.2.25",
           "reportingMTA":"dsn; a8-70.smtp-out.amazonses.com"},
         "mail":{"timestamp":"2026-12-02T10:00:00.000Z","source":"shop@example.com",
           "sourceArn":"arn:aws:ses:eu-west-1:123456789012:identity/example.com",
           "sourceIp":"198.51.100.7","sendingAccountId":"123456789012",
           "callerIdentity":"postbus-smtp",
           "messageId":"0102018c5a0b9b7f-6c1d1c9f-3f3e-4b2a-9d2e-2f1a3c4b5d6e-000000",
           "destination":["%s"],"headersTruncated":false,
           "headers":[{"name":"From","value":"Shop <shop@example.com>"},
             {"name":"To","value":"%s"},{"name":"Subject","value":"Your receipt"},
             {"name":"Message-ID","value":"%s"},{"name":"X-Postbus-Job","value":"%s"}],
           "commonHeaders":{"from":["Shop <shop@example.com>"],"to":["%s"],
             "messageId":"%s","subject":"Your receipt"}}}
        """
        .formatted(
            bounceType,
            recipient,
            recipient,
            recipient,
            messageIdHeader,
            jobHeader,
            recipient,
            messageIdHeader);
  }

  /** An SES complaint notification without original headers (the Message-ID only). */
  public static String sesComplaint(String recipient, String messageId) {
    return """
        {"notificationType":"Complaint",
         "complaint":{"userAgent":"Yahoo!-Mail-Feedback/2.0","complainedRecipients":[{"emailAddress":"%s"}],
           "complaintFeedbackType":"abuse","arrivalDate":"2026-12-02T10:05:00.000Z",
           "timestamp":"2026-12-02T10:05:01.000Z",
           "feedbackId":"0102018c5a1f-aaaa-bbbb-cccc-ddddeeee0000-000000"},
         "mail":{"timestamp":"2026-12-02T10:00:00.000Z","source":"news@example.com",
           "messageId":"0102018c5a0b9b7f-aaaa-bbbb-cccc-000000000001-000000",
           "destination":["%s"],"headersTruncated":false,
           "commonHeaders":{"from":["news@example.com"],"to":["%s"],"messageId":"%s",
             "subject":"December news"}}}
        """
        .formatted(recipient, recipient, recipient, messageId);
  }
}
