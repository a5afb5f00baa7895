package dev.postbus.smtp;

import java.util.Objects;

/**
 * A message's envelope: the sender and the recipients as they go into MAIL FROM and RCPT TO.
 * Addresses are for the wire, never for logs ({@link #toString()} shows only the count).
 */
public final class Envelope {

  private final String from;
  private final String[] recipients;

  public Envelope(String from, String[] recipients) {
    this.from = Objects.requireNonNull(from, "from");
    this.recipients = recipients.clone();
  }

  public String from() {
    return from;
  }

  /** The recipients, not copied: for this package, which never changes them. */
  String[] recipients() {
    return recipients;
  }

  @Override
  public String toString() {
    return "Envelope[" + recipients.length + " recipients]";
  }
}
