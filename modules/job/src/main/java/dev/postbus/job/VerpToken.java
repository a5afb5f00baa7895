package dev.postbus.job;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The VERP return path of a job: {@code bounces+<token>@<return-path-domain>}, the token {@code
 * <kind><base32(id)>.<mac>}, lower-case base32 (RFC 4648, no padding), so it survives MTAs that
 * change the case of a local part: kind {@code u} for an id that is a lower-case UUID (the client's
 * default; its 16 bytes), {@code b} for any other (its UTF-8 bytes); the mac the first 50 bits of
 * HMAC-SHA256(key, "postbus-verp-2:" + id), as 10 base32 characters. A UUID gives a 46-octet local
 * part; an id whose local part would exceed RFC 5321's 64 octets (over 27 bytes), or whose address
 * would exceed 254 (a path of 256 with its brackets), has no return path ({@link #address} is null:
 * the worker sends that job without VERP).
 *
 * <p>What the token proves: that the address was made with the key for that job id, so a bounce to
 * it names a job postbus sent (no one can make up tokens for other jobs). It does not prove the
 * bounce is genuine, nor which recipient bounced: anyone who received the job's message sees its
 * Return-Path and can send a DSN to it naming any address. The worker writes the address (its
 * envelope sender); the feedback receiver checks it. Here, in the job module, because both use it:
 * one implementation, so the two cannot drift apart. A previous key (a rotation) is checked too,
 * never used to sign. Thread-safe (a MAC per thread).
 */
public final class VerpToken {

  /** The local part's prefix before the token. */
  public static final String PREFIX = "bounces+";

  /** Shortest key accepted (characters of the key file). */
  public static final int MIN_KEY_LENGTH = 32;

  /** RFC 5321: the longest local part. */
  public static final int MAX_LOCAL_PART = 64;

  /** RFC 5321: a path is at most 256 octets, so the address within its brackets 254. */
  public static final int MAX_ADDRESS = 254;

  private static final int MAC_CHARS = 10;
  private static final int MAC_BYTES = 7; // 56 bits, of which the first 50 are kept
  private static final char UUID_KIND = 'u';
  private static final char BYTES_KIND = 'b';
  private static final String ALGORITHM = "HmacSHA256";
  private static final byte[] CONTEXT_BYTES = "postbus-verp-2:".getBytes(StandardCharsets.US_ASCII);

  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

  /** The previous key's, checked after this one's (a rotation), or null. */
  private final VerpToken previous;

  public VerpToken(String key) {
    this(key, null);
  }

  /**
   * @param key signs and checks
   * @param previousKey also checks (tokens made before a rotation), never signs; or null
   */
  public VerpToken(String key, String previousKey) {
    this.key = new SecretKeySpec(checked(key).getBytes(StandardCharsets.UTF_8), ALGORITHM);
    this.previous = previousKey == null ? null : new VerpToken(checked(previousKey), null);
  }

  private static String checked(String key) {
    Objects.requireNonNull(key, "key");
    if (key.length() < MIN_KEY_LENGTH) {
      throw new IllegalArgumentException("VERP key: fewer than " + MIN_KEY_LENGTH + " characters");
    }
    return key;
  }

  /** How a recipient's local part reads. */
  public enum Status {
    /** Not of the {@code bounces+<token>} form. */
    NOT_VERP,
    /** A token this key made: {@link Check#jobId} is the job. */
    VALID,
    /** Of the form, but the MAC does not verify or the job id cannot be read. */
    FORGED
  }

  /** The verdict on a local part: for {@link Status#VALID}, the job id; else null. */
  public record Check(Status status, String jobId) {}

  /** The token of a job. */
  public String token(String jobId) {
    byte[] id = jobId.getBytes(StandardCharsets.UTF_8);
    return body(jobId) + "." + mac(id);
  }

  /** The whole return path of a job, or null when it would exceed RFC 5321's limits. */
  public String address(String jobId, String domain) {
    String local = PREFIX + token(jobId);
    String address = local + "@" + domain;
    if (local.length() > MAX_LOCAL_PART
        || address.getBytes(StandardCharsets.UTF_8).length > MAX_ADDRESS) {
      return null;
    }
    return address;
  }

  /** Reads the local part of a recipient (the part before the last {@code @}). */
  public Check check(String localPart) {
    String local = localPart.toLowerCase(Locale.ROOT);
    if (!local.startsWith(PREFIX)) {
      return new Check(Status.NOT_VERP, null);
    }
    String token = local.substring(PREFIX.length());
    int dot = token.lastIndexOf('.');
    if (dot < 1 || token.length() - dot - 1 != MAC_CHARS) {
      return FORGED;
    }
    String id = jobId(token.charAt(0), token.substring(1, dot));
    if (id == null) {
      return FORGED;
    }
    byte[] given = token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
    boolean valid = verifies(id, given) || (previous != null && previous.verifies(id, given));
    return valid ? new Check(Status.VALID, id) : FORGED;
  }

  private boolean verifies(String id, byte[] givenMac) {
    byte[] expected = mac(id.getBytes(StandardCharsets.UTF_8)).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, givenMac);
  }

  private static final Check FORGED = new Check(Status.FORGED, null);

  /** The kind and base32 of a job id. */
  private static String body(String jobId) {
    UUID uuid = TokenIds.uuidOf(jobId);
    if (uuid == null) {
      return BYTES_KIND + Base32.encode(jobId.getBytes(StandardCharsets.UTF_8));
    }
    ByteBuffer bytes = ByteBuffer.allocate(16);
    bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
    return UUID_KIND + Base32.encode(bytes.array());
  }

  /** The job id a token's body names, or null when it names none. */
  private static String jobId(char kind, String base32) {
    byte[] bytes = Base32.decode(base32);
    if (bytes == null) {
      return null;
    }
    if (kind == UUID_KIND && bytes.length == 16) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      return new UUID(b.getLong(), b.getLong()).toString();
    }
    if (kind != BYTES_KIND || bytes.length == 0) {
      return null;
    }
    return TokenIds.strictUtf8(bytes);
  }

  /** The first 50 bits of the MAC of a job id, as 10 base32 characters. */
  private String mac(byte[] jobId) {
    Mac mac = macs.get(); // doFinal leaves it reset, ready for the next id
    mac.update(CONTEXT_BYTES);
    return Base32.encode(Arrays.copyOf(mac.doFinal(jobId), MAC_BYTES)).substring(0, MAC_CHARS);
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
    return previous == null ? "VerpToken[(key set)]" : "VerpToken[(key set), (previous key set)]";
  }
}
