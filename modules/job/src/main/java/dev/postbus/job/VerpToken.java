package dev.postbus.job;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The VERP return path of a job: {@code bounces+<token>@<return-path-domain>}, where the token is
 * {@code <hex(job id as UTF-8)>.<hex(first 10 bytes of HMAC-SHA256(key, "postbus-verp-1:" + job
 * id))>}, lower case. Hex survives MTAs that change the case of a local part; the 80-bit MAC stops
 * a forged bounce from naming a job (and so suppressing its recipient). The worker writes the
 * address (its envelope sender); the feedback receiver checks it. Here, in the job module, because
 * both use it: one implementation, so the two cannot drift apart. Thread-safe (a MAC per thread).
 */
public final class VerpToken {

  /** The local part's prefix before the token. */
  public static final String PREFIX = "bounces+";

  /** Shortest key accepted (characters of the key file). */
  public static final int MIN_KEY_LENGTH = 32;

  private static final int MAC_BYTES = 10;
  private static final String ALGORITHM = "HmacSHA256";
  private static final byte[] CONTEXT_BYTES = "postbus-verp-1:".getBytes(StandardCharsets.US_ASCII);
  private static final HexFormat HEX = HexFormat.of();

  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

  public VerpToken(String key) {
    Objects.requireNonNull(key, "key");
    if (key.length() < MIN_KEY_LENGTH) {
      throw new IllegalArgumentException("VERP key: fewer than " + MIN_KEY_LENGTH + " characters");
    }
    this.key = new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), ALGORITHM);
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
    return HEX.formatHex(id) + "." + HEX.formatHex(mac(id));
  }

  /** The whole return path of a job. */
  public String address(String jobId, String domain) {
    return PREFIX + token(jobId) + "@" + domain;
  }

  /** Reads the local part of a recipient (the part before the last {@code @}). */
  public Check check(String localPart) {
    String local = localPart.toLowerCase(Locale.ROOT);
    if (!local.startsWith(PREFIX)) {
      return new Check(Status.NOT_VERP, null);
    }
    String token = local.substring(PREFIX.length());
    int dot = token.indexOf('.');
    if (dot <= 0 || dot % 2 != 0 || token.length() - dot - 1 != 2 * MAC_BYTES) {
      return new Check(Status.FORGED, null);
    }
    try {
      byte[] id = HEX.parseHex(token, 0, dot);
      byte[] given = HEX.parseHex(token, dot + 1, token.length());
      if (!MessageDigest.isEqual(mac(id), given)) {
        return new Check(Status.FORGED, null);
      }
      return new Check(Status.VALID, new String(id, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      return new Check(Status.FORGED, null);
    }
  }

  private byte[] mac(byte[] jobId) {
    Mac mac = macs.get(); // doFinal leaves it reset, ready for the next id
    mac.update(CONTEXT_BYTES);
    return Arrays.copyOf(mac.doFinal(jobId), MAC_BYTES);
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
    return "VerpToken[(key set)]";
  }
}
