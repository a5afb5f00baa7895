package dev.postbus.feedback.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SendGridSignatureTest {

  static KeyPair p256() {
    return dev.postbus.feedback.TestCa.p256();
  }

  static String sign(KeyPair keys, String timestamp, byte[] body) throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(keys.getPrivate());
    s.update(timestamp.getBytes(StandardCharsets.UTF_8));
    s.update(body);
    return Base64.getEncoder().encodeToString(s.sign());
  }

  @Test
  void verifiesTheTimestampAndTheRawBodyWithTheKey() throws Exception {
    KeyPair keys = p256();
    byte[] body =
        "[{\"email\":\"a@example.com\",\"event\":\"bounce\"}]\r\n".getBytes(StandardCharsets.UTF_8);
    String sig = sign(keys, "1764669600", body);

    assertThat(SendGridSignature.verify(keys.getPublic(), "1764669600", body, sig)).isTrue();
    assertThat(SendGridSignature.verify(keys.getPublic(), "1764669601", body, sig)).isFalse();
    byte[] tampered = body.clone();
    tampered[3] = 'b';
    assertThat(SendGridSignature.verify(keys.getPublic(), "1764669600", tampered, sig)).isFalse();
    assertThat(SendGridSignature.verify(p256().getPublic(), "1764669600", body, sig)).isFalse();
    assertThat(SendGridSignature.verify(keys.getPublic(), "1764669600", body, "not base64!"))
        .isFalse();
  }
}
