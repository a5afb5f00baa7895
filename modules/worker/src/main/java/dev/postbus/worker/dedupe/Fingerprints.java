package dev.postbus.worker.dedupe;

import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The hashes idempotent publishing keeps. A job's fingerprint is the first 16 bytes of the SHA-256
 * of its record's value, the bytes as published (not a canonical form: the same job serialized
 * again the same way gives the same bytes, and no JSON is parsed for it); a job id's hash is 64
 * bits of its UTF-8 bytes' MurmurHash3 (128-bit, x64).
 */
public final class Fingerprints {

  /** The bytes of a fingerprint kept in a ledger entry. */
  public static final int LENGTH = 16;

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(Fingerprints::sha256);

  private Fingerprints() {}

  /** The fingerprint of a record's value (an empty value's for none). */
  public static byte[] of(byte[] value) {
    MessageDigest d = SHA256.get();
    d.reset();
    return Arrays.copyOf(d.digest(value == null ? new byte[0] : value), LENGTH);
  }

  /** The fingerprint's first 64 bits as the index keeps them: never 0 (0 is "unknown"). */
  public static long head(byte[] fingerprint, int from, int length) {
    if (fingerprint == null || length < Long.BYTES) {
      return 0;
    }
    long h = ByteBuffer.wrap(fingerprint, from, Long.BYTES).getLong();
    return h == 0 ? 1 : h;
  }

  public static long head(byte[] fingerprint) {
    return fingerprint == null ? 0 : head(fingerprint, 0, fingerprint.length);
  }

  public static long idHash(String jobId) {
    byte[] b = jobId.getBytes(StandardCharsets.UTF_8);
    return idHash(b, 0, b.length);
  }

  public static long idHash(byte[] utf8, int from, int length) {
    return Hashing.murmur3_128().hashBytes(utf8, from, length).asLong();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
