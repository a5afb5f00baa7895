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
 * @param list the scope: the list (an {@code unsubscribe.list}) this entry keeps the address off,
 *     or null for every mail (global)
 */
public record Suppression(
    String address,
    String reason,
    Integer code,
    String enhancedCode,
    Source source,
    Instant at,
    Instant expiresAt,
    String list) {

  public Suppression {
    Objects.requireNonNull(address, "address");
    if (list != null && !dev.postbus.job.Unsubscribe.isValidList(list)) {
      throw new IllegalArgumentException("list: " + dev.postbus.job.Unsubscribe.LIST_RULE);
    }
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(at, "at");
    address = Addresses.normalize(address);
  }

  /** A global entry: the address gets no mail at all. */
  public Suppression(
      String address,
      String reason,
      Integer code,
      String enhancedCode,
      Source source,
      Instant at,
      Instant expiresAt) {
    this(address, reason, code, enhancedCode, source, at, expiresAt, null);
  }

  /**
   * The recipient left {@code list} with the one-click link (the reason names no job: one reason
   * per list keeps {@link SuppressionSet}'s table of reasons small).
   */
  public static Suppression unsubscribe(String address, String list, Instant at) {
    return new Suppression(
        address,
        "unsubscribed from " + list + " (one-click)",
        null,
        null,
        Source.UNSUBSCRIBE,
        at,
        null,
        Objects.requireNonNull(list, "list"));
  }

  /** Whether this entry holds for every mail (no list). */
  public boolean global() {
    return list == null;
  }

  /** The entry's identity, its record key: the address, and the list when it is scoped. */
  public SuppressionCodec.Key key() {
    return new SuppressionCodec.Key(address, list);
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
        + (list == null ? "" : ", list " + list)
        + ", "
        + reason
        + (expiresAt == null ? "" : ", until " + expiresAt)
        + "]";
  }
}
