package dev.postbus.feedback.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postbus.feedback.model.Refusal;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/**
 * Checks an SNS message's signature: SignatureVersion 1 (SHA1withRSA) or 2 (SHA256withRSA) over
 * SNS's canonical string, the named fields in byte order of their names, each as {@code
 * name\nvalue\n} (docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html).
 */
public final class SnsSignature {

  private static final List<String> NOTIFICATION =
      List.of("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type");
  private static final List<String> SUBSCRIPTION =
      List.of("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type");

  /**
   * A verifier per thread and algorithm: {@link Signature#getInstance} looks the provider up and
   * allocates anew; an HTTP thread verifies one message at a time, so one each is enough.
   */
  private static final ThreadLocal<Signature> SHA1 = verifier("SHA1withRSA");

  private static final ThreadLocal<Signature> SHA256 = verifier("SHA256withRSA");

  private SnsSignature() {}

  private static ThreadLocal<Signature> verifier(String algorithm) {
    return ThreadLocal.withInitial(
        () -> {
          try {
            return Signature.getInstance(algorithm);
          } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is not available in this JVM", e);
          }
        });
  }

  /** The string SNS signs for this message; a field a type needs that is missing is refused. */
  public static String canonical(JsonNode message) {
    String type = text(message, "Type");
    List<String> fields =
        switch (type) {
          case "Notification" -> NOTIFICATION;
          case "SubscriptionConfirmation", "UnsubscribeConfirmation" -> SUBSCRIPTION;
          default -> throw Refusal.malformed("Type", "not an SNS message type");
        };
    StringBuilder sb = new StringBuilder();
    for (String f : fields) {
      JsonNode v = message.get(f);
      if (f.equals("Subject") && (v == null || v.isNull())) {
        continue; // the only optional one: signed only when present
      }
      sb.append(f).append('\n').append(text(message, f)).append('\n');
    }
    return sb.toString();
  }

  /** The algorithm of the message's SignatureVersion. */
  public static String algorithm(JsonNode message) {
    return switch (text(message, "SignatureVersion")) {
      case "1" -> "SHA1withRSA";
      case "2" -> "SHA256withRSA";
      default -> throw Refusal.forbidden("signature", "SignatureVersion: only 1 and 2 are known");
    };
  }

  /** Refuses (403) a message whose signature the certificate's key does not verify. */
  public static void verify(JsonNode message, X509Certificate certificate) {
    String algorithm = algorithm(message);
    byte[] signature;
    try {
      signature = Base64.getDecoder().decode(text(message, "Signature"));
    } catch (IllegalArgumentException e) {
      throw Refusal.malformed("Signature", "not base64");
    }
    boolean ok;
    try {
      Signature s = (algorithm.equals("SHA1withRSA") ? SHA1 : SHA256).get();
      s.initVerify(certificate.getPublicKey()); // resets it: nothing of an earlier use is left
      s.update(canonical(message).getBytes(StandardCharsets.UTF_8));
      ok = s.verify(signature);
    } catch (GeneralSecurityException e) {
      ok = false;
    }
    if (!ok) {
      throw Refusal.forbidden("signature", "the SNS signature does not verify");
    }
  }

  static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw Refusal.malformed(field, "missing or not a string");
    }
    return v.asText();
  }
}
