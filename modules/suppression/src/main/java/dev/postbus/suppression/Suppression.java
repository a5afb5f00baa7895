package dev.postbus.suppression;

import java.time.Instant;
import java.util.Objects;

/**
 * One address never to mail again (until {@code expiresAt}, when set).
 *
 * @param address the normalized address ({@link Addresses#normalize}); the record's key
 * @param reason why, in words: codes only for a bounce, the operator's words otherwise
 * @param code the reply code of the bounce, or null
 * @param enhancedCode the enhanced status code of the bounce (5.1.1), or null
 * @param at when it was added
 * @param expiresAt when it stops counting, or null for never
 */
public record Suppression(
    String address,
    String reason,
    Integer code,
    String enhancedCode,
    Source source,
    Instant at,
    Instant expiresAt) {

  public Suppression {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(at, "at");
    address = Addresses.normalize(address);
  }

  /** Added by a worker after a permanent refusal. */
  public static Suppression bounce(
      String address, int code, String enhancedCode, String command, Instant at) {
    return new Suppression(
        address,
        command + " refused with " + code + (enhancedCode == null ? "" : " " + enhancedCode),
        code,
        enhancedCode,
        Source.BOUNCE,
        at,
        null);
  }

  public boolean expired(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }

  /** Never shows the address, so a record can be logged. */
  @Override
  public String toString() {
    return "Suppression[*@"
        + Addresses.domain(address)
        + ", "
        + source.label()
        + ", "
        + reason
        + (expiresAt == null ? "" : ", until " + expiresAt)
        + "]";
  }
}
