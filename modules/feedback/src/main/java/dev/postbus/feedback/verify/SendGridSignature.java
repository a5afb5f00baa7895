package dev.postbus.feedback.verify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * SendGrid's signed Event Webhook: ECDSA (P-256, SHA-256) over the timestamp header's text followed
 * by the raw body, the signature base64 of its DER form.
 */
public final class SendGridSignature {

  private SendGridSignature() {}

  public static boolean verify(PublicKey key, String timestamp, byte[] body, String signature) {
    if (key == null || timestamp == null || signature == null) {
      return false;
    }
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initVerify(key);
      s.update(timestamp.getBytes(StandardCharsets.UTF_8));
      s.update(body);
      return s.verify(Base64.getDecoder().decode(signature.strip()));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }
}
