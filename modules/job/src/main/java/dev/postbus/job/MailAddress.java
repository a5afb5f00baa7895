package dev.postbus.job;

import java.util.Objects;

/**
 * A mailbox: an address and an optional display name.
 *
 * <p>{@link #toString()} shows only the domain, so an address never reaches a log by accident.
 */
public record MailAddress(String address, String name) {

  public MailAddress {
    Objects.requireNonNull(address, "address");
  }

  public static MailAddress of(String address) {
    return new MailAddress(address, null);
  }

  /**
   * Reads {@code "bob@example.com"} or {@code "Bob <bob@example.com>"} (the name may be in double
   * quotes). Does not validate: {@link JobValidator} does.
   */
  public static MailAddress parse(String text) {
    java.util.regex.Matcher m = dev.postbus.job.internal.Syntax.NAMED_ADDRESS.matcher(text);
    if (!m.matches()) {
      return new MailAddress(text, null);
    }
    String name = m.group(1);
    if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
      name = name.substring(1, name.length() - 1);
    }
    return new MailAddress(m.group(2), name.isEmpty() ? null : name);
  }

  /**
   * Whether {@code address} is a plain address a job may name: local@domain, ASCII, at most 254
   * characters, no CR, LF or NUL (what {@link JobValidator} requires of every recipient).
   */
  public static boolean isValid(String address) {
    return address != null
        && !dev.postbus.job.internal.Syntax.hasLineBreakOrNul(address)
        && address.length() <= dev.postbus.job.internal.Syntax.MAX_ADDRESS_LENGTH
        && dev.postbus.job.internal.Syntax.ADDRESS.matcher(address).matches();
  }

  /** The part after the last {@code @}, lower-cased; empty when there is none. */
  public String domain() {
    int at = address.lastIndexOf('@');
    return at < 0 ? "" : address.substring(at + 1).toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public String toString() {
    return "MailAddress[*@" + domain() + (name == null ? "" : ", (named)") + "]";
  }
}
