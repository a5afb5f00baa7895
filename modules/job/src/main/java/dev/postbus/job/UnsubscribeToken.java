package dev.postbus.job;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The token of a one-click unsubscribe link ({@code https://<base>/u/<token>}, RFC 8058): {@code
 * <kid>.<sealed>.<mac>}, each part base64url without padding (URL-safe as it is). The payload names
 * the list, the recipient (lower case) and the job id (16 bytes when it is a lower-case UUID); the
 * mac is the first 128 bits of HMAC-SHA256(key, "postbus-unsubscribe-2:" + kid + "." + payload),
 * and {@code sealed} is the payload encrypted with AES-128-CTR under a key derived from the same
 * key (HMAC-SHA256(key, "postbus-unsubscribe-enc-2"), first 128 bits), the mac as its counter
 * block: a synthetic IV (the SIV construction), so a token is deterministic, no nonce is kept or
 * can repeat, and the receiver decrypts, then checks the mac over what it decrypted. The key id
 * ({@code kid}) is the first 24 bits of the SHA-256 of the key: it tells the receiver which key
 * made a token, so a previous key (a rotation) still checks, and a token of a key it does not hold
 * is told apart from a forged one. A UUID job id, a 20-character address and a short list name give
 * a token of about 90 characters.
 *
 * <p>What the token proves: that Postbus made the link for that recipient, list and job, so no one
 * can unsubscribe another address. The payload is encrypted so that the recipient's address and the
 * list do not read from the URL (the mailbox provider, a load balancer's or CDN's access log); its
 * length still shows about how long they are. The worker writes it; the feedback receiver checks
 * it: both here, so the two cannot drift apart. Thread-safe (a MAC and a cipher per thread).
 */
public final class UnsubscribeToken {

  /** Shortest key accepted (characters of the key file). */
  public static final int MIN_KEY_LENGTH = 32;

  /** Longest token {@link #check} reads (a 254-octet address and a 200-character id fit). */
  public static final int MAX_TOKEN = 1024;

  private static final int VERSION = 1;
  private static final int MAC_BYTES = 16;
  private static final int KID_BYTES = 3;
  private static final byte UUID_KIND = 'u';
  private static final byte BYTES_KIND = 'b';
  private static final String ALGORITHM = "HmacSHA256";
  private static final String CONTEXT = "postbus-unsubscribe-2:";
  private static final String ENCRYPTION_CONTEXT = "postbus-unsubscribe-enc-2";
  private static final int KID_CHARS = 4;
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final SecretKeySpec key;
  private final String kid;
  private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);
  private final SecretKeySpec encryptionKey;
  private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(UnsubscribeToken::newCipher);

  /** The previous key's, checked when a token names its key id (a rotation), or null. */
  private final UnsubscribeToken previous;

  /**
   * @param key signs and checks
   * @param previousKey also checks (links made before a rotation), never signs; or null
   */
  public UnsubscribeToken(String key, String previousKey) {
    this.key = new SecretKeySpec(checked(key).getBytes(StandardCharsets.UTF_8), ALGORITHM);
    this.kid = kidOf(key);
    this.encryptionKey =
        new SecretKeySpec(
            Arrays.copyOf(
                macs.get().doFinal(ENCRYPTION_CONTEXT.getBytes(StandardCharsets.US_ASCII)), 16),
            "AES");
    this.previous = previousKey == null ? null : new UnsubscribeToken(previousKey, null);
  }

  private static String checked(String key) {
    Objects.requireNonNull(key, "key");
    if (key.length() < MIN_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "unsubscribe key: fewer than " + MIN_KEY_LENGTH + " characters");
    }
    return key;
  }

  /** What a link names: the list, the recipient (lower case) and the job. */
  public record Claim(String list, String address, String jobId) {
    /** Never shows the address. */
    @Override
    public String toString() {
      return "Claim[list="
          + list
          + ", *@"
          + MailAddress.of(address).domain()
          + ", job="
          + jobId
          + "]";
    }
  }

  /** How a token reads. */
  public enum Status {
    /** Made with one of the keys: {@link Check#claim} says what it names. */
    VALID,
    /** Not of the token's form (or too long). */
    MALFORMED,
    /** Of the form, naming a key id this receiver does not hold (a key rotated out). */
    UNKNOWN_KEY,
    /** Of the form, with a key held, but the mac does not verify: altered or forged. */
    FORGED
  }

  /** The verdict on a token: for {@link Status#VALID}, its claim; else null. */
  public record Check(Status status, Claim claim) {}

  /** The token of a link for {@code address} to leave {@code list}, sent in job {@code jobId}. */
  public String token(String list, String address, String jobId) {
    if (!Unsubscribe.isValidList(list)) {
      throw new IllegalArgumentException("unsubscribe.list: " + Unsubscribe.LIST_RULE);
    }
    byte[] payload = payload(list, address.toLowerCase(Locale.ROOT), jobId);
    byte[] mac = mac(payload);
    return kid + "." + B64.encodeToString(crypt(mac, payload)) + "." + B64.encodeToString(mac);
  }

  /** Reads a token: whether one of the keys made it, and what it names. */
  public Check check(String token) {
    if (token == null || token.length() > MAX_TOKEN) {
      return new Check(Status.MALFORMED, null);
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3 || parts[0].length() != KID_CHARS) {
      return new Check(Status.MALFORMED, null);
    }
    byte[] sealed = decoded(parts[1]);
    byte[] mac = decoded(parts[2]);
    if (sealed == null || sealed.length == 0 || mac == null || mac.length != MAC_BYTES) {
      return new Check(Status.MALFORMED, null);
    }
    UnsubscribeToken signer =
        kid.equals(parts[0])
            ? this
            : previous != null && previous.kid.equals(parts[0]) ? previous : null;
    if (signer == null) {
      return new Check(Status.UNKNOWN_KEY, null);
    }
    byte[] payload = signer.crypt(mac, sealed);
    byte[] expected = B64.encodeToString(signer.mac(payload)).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, parts[2].getBytes(StandardCharsets.US_ASCII))) {
      return new Check(Status.FORGED, null);
    }
    Claim claim = claim(payload);
    return claim == null ? new Check(Status.MALFORMED, null) : new Check(Status.VALID, claim);
  }

  private static byte[] decoded(String part) {
    try {
      return B64D.decode(part);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static byte[] payload(String list, String address, String jobId) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.write(VERSION);
    writeShort(out, list.getBytes(StandardCharsets.US_ASCII));
    writeShort(out, address.getBytes(StandardCharsets.UTF_8));
    UUID uuid = TokenIds.uuidOf(jobId);
    if (uuid != null) {
      out.write(UUID_KIND);
      ByteBuffer b = ByteBuffer.allocate(16);
      out.writeBytes(
          b.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array());
    } else {
      out.write(BYTES_KIND);
      out.writeBytes(jobId.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  private static void writeShort(ByteArrayOutputStream out, byte[] bytes) {
    if (bytes.length > 255) {
      throw new IllegalArgumentException("unsubscribe token: a part longer than 255 bytes");
    }
    out.write(bytes.length);
    out.writeBytes(bytes);
  }

  /** What a payload names, or null when it is not one. */
  private static Claim claim(byte[] payload) {
    ByteBuffer b = ByteBuffer.wrap(payload);
    try {
      if (b.get() != VERSION) {
        return null;
      }
      String list = utf8(b, b.get() & 0xff);
      String address = utf8(b, b.get() & 0xff);
      byte kind = b.get();
      String id;
      if (kind == UUID_KIND && b.remaining() == 16) {
        id = new UUID(b.getLong(), b.getLong()).toString();
      } else if (kind == BYTES_KIND && b.hasRemaining()) {
        id = utf8(b, b.remaining());
      } else {
        return null;
      }
      boolean valid =
          list != null
              && Unsubscribe.isValidList(list)
              && address != null
              && MailAddress.isValid(address)
              && id != null;
      return valid ? new Claim(list, address, id) : null;
    } catch (java.nio.BufferUnderflowException e) {
      return null;
    }
  }

  private static String utf8(ByteBuffer b, int length) {
    byte[] bytes = new byte[length];
    b.get(bytes);
    return TokenIds.strictUtf8(bytes);
  }

  private static String kidOf(String key) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(("postbus-unsubscribe-kid:" + key).getBytes(StandardCharsets.UTF_8));
      return B64.encodeToString(Arrays.copyOf(d, KID_BYTES));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  /** The first 128 bits of the HMAC of the payload, bound to this format and key id. */
  private byte[] mac(byte[] payload) {
    Mac mac = macs.get(); // doFinal leaves it reset
    mac.update((CONTEXT + kid + ".").getBytes(StandardCharsets.US_ASCII));
    return Arrays.copyOf(mac.doFinal(payload), MAC_BYTES);
  }

  /** AES-CTR with the mac as the counter block: encrypts, and decrypts, the same way. */
  private byte[] crypt(byte[] mac, byte[] input) {
    Cipher c = ciphers.get();
    try {
      c.init(Cipher.ENCRYPT_MODE, encryptionKey, new IvParameterSpec(mac));
      return c.doFinal(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/CTR failed", e);
    }
  }

  private static Cipher newCipher() {
    try {
      return Cipher.getInstance("AES/CTR/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/CTR unavailable", e);
    }
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  @Override
  public String toString() {
    return previous == null
        ? "UnsubscribeToken[(key set)]"
        : "UnsubscribeToken[(key set), (previous key set)]";
  }
}
