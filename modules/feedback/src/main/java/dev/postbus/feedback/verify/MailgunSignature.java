package dev.postbus.feedback.verify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mailgun's webhook signature: hex HMAC-SHA256 of {@code timestamp + token} with the signing key.
 */
public final class MailgunSignature {

  private MailgunSignature() {}

  public static String sign(String key, String timestamp, String token) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of()
          .formatHex(mac.doFinal((timestamp + token).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JVM has no HmacSHA256", e);
    }
  }

  public static boolean verify(String key, String timestamp, String token, String signature) {
    if (key == null || timestamp == null || token == null || signature == null) {
      return false;
    }
    return MessageDigest.isEqual(
        sign(key, timestamp, token).getBytes(StandardCharsets.US_ASCII),
        signature.strip().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
  }
}
