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
