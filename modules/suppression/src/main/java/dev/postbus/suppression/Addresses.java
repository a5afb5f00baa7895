package dev.postbus.suppression;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/** How the suppression list names an address: normalized, and as a 64-bit hash in memory. */
public final class Addresses {

  private Addresses() {}

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("the JVM has no SHA-256", e);
            }
          });

  /**
   * Trimmed and lower-cased: {@code " Bob@Example.COM "} and {@code "bob@example.com"} are one
   * entry. (Local parts are case-sensitive by the letter of RFC 5321, but no mailbox provider
   * treats them so, and a suppression list must not miss an address by its case.)
   */
  public static String normalize(String address) {
    return address.strip().toLowerCase(Locale.ROOT);
  }

  /**
   * The address, normalized, when it is one a job may name (local@domain, ASCII, at most 254
   * characters); else an {@link IllegalArgumentException} whose message starts with {@code where}.
   */
  public static String requireValid(String address, String where) {
    if (address == null || !dev.postbus.job.MailAddress.isValid(address.strip())) {
      throw new IllegalArgumentException(
          where + ": not a valid email address (local@domain, ASCII, at most 254 characters)");
    }
    return normalize(address);
  }

  /**
   * The first 64 bits of the SHA-256 of the normalized address: what a worker keeps in memory. Two
   * different addresses share a hash with probability 2^-64; with a million entries, a given
   * address not on the list is taken for one on it with probability about 5 × 10^-14.
   */
  public static long hash(String address) {
    byte[] d = SHA256.get().digest(normalize(address).getBytes(StandardCharsets.UTF_8));
    long h = 0;
    for (int i = 0; i < 8; i++) {
      h = (h << 8) | (d[i] & 0xff);
    }
    return h;
  }

  /**
   * The hash of the entry of {@code address} scoped to {@code list}: of the normalized address, a
   * NUL and the list (no address holds a NUL, so it never equals a global entry's hash by design).
   */
  public static long scopedHash(String address, String list) {
    return hash(normalize(address) + "\0" + list);
  }

  /** The part after the last {@code @}, lower-cased; empty when there is none. */
  public static String domain(String address) {
    int at = address.lastIndexOf('@');
    return at < 0 ? "" : address.substring(at + 1).toLowerCase(Locale.ROOT);
  }
}
