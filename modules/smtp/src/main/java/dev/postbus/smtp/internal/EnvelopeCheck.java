package dev.postbus.smtp.internal;

import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpReply;

/**
 * What the session refuses itself, before a byte goes out, whatever its callers check: an address
 * with a line break, a control character or an angle bracket (it would end the command early: SMTP
 * command injection), a non-ASCII address to a relay without SMTPUTF8, an 8-bit body to a relay
 * without 8BITMIME, and a message over the relay's SIZE limit. Each is a permanent refusal of the
 * message with an enhanced code, as a relay would give.
 */
final class EnvelopeCheck {

  private EnvelopeCheck() {}

  /** Why this message cannot be sent on this session, or null when it can. */
  static SendOutcome.Rejected refusal(
      String from, String[] recipients, WireBytes wire, Extensions extensions) {
    if (!writable(from)) {
      return refused(553, "5.1.7", "the sender address contains a line break or bracket", "MAIL");
    }
    for (String r : recipients) {
      if (!writable(r)) {
        return refused(
            553, "5.1.3", "a recipient address contains a line break or bracket", "RCPT");
      }
    }
    if (!extensions.smtpUtf8() && (Commands.nonAscii(from) || Commands.anyNonAscii(recipients))) {
      return refused(
          553, "5.6.7", "a non-ASCII address and a relay without SMTPUTF8; not sent", "MAIL");
    }
    if (wire.eightBit() && !extensions.eightBitMime()) {
      return refused(
          554, "5.6.3", "an 8-bit message and a relay without 8BITMIME; not sent", "MAIL");
    }
    if (extensions.size() > 0 && wire.messageSize() > extensions.size()) {
      return refused(
          552,
          "5.3.4",
          "message of "
              + wire.messageSize()
              + " bytes is larger than the relay's SIZE limit of "
              + extensions.size()
              + " bytes; not sent",
          "MAIL");
    }
    return null;
  }

  /**
   * Whether the next envelope may be written ahead, before its message is known: its addresses
   * pass, and the relay takes any body (8BITMIME).
   */
  static boolean canGoAhead(String from, String[] recipients, Extensions extensions) {
    if (!extensions.eightBitMime() || !writable(from)) {
      return false;
    }
    for (String r : recipients) {
      if (!writable(r)) {
        return false;
      }
    }
    return extensions.smtpUtf8() || !Commands.nonAscii(from) && !Commands.anyNonAscii(recipients);
  }

  /** No control character (CR, LF...), no angle bracket: nothing that could end the command. */
  private static boolean writable(String address) {
    for (int i = 0; i < address.length(); i++) {
      char c = address.charAt(i);
      if (c < 0x20 || c == 0x7F || c == '<' || c == '>') {
        return false;
      }
    }
    return true;
  }

  private static SendOutcome.Rejected refused(
      int code, String enhanced, String text, String command) {
    return new SendOutcome.Rejected(new SmtpReply(code, enhanced, text), command);
  }
}
