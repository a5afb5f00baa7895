package dev.postbus.smtp.internal;

/** The envelope's command lines: MAIL FROM with its parameters, and RCPT TO. */
final class Commands {

  private Commands() {}

  /**
   * MAIL FROM. {@code size} is the message's size as RFC 1870 counts it, or -1 when not known yet
   * (an envelope written ahead), and then BODY=8BITMIME goes whenever the server offers it (true of
   * any content).
   */
  static String mailFrom(
      String from, String[] recipients, long size, boolean eightBit, Extensions extensions) {
    StringBuilder b = new StringBuilder(64).append("MAIL FROM:<").append(from).append('>');
    if (size >= 0 && extensions.size() >= 0) {
      b.append(" SIZE=").append(size);
    }
    if ((size < 0 || eightBit) && extensions.eightBitMime()) {
      b.append(" BODY=8BITMIME");
    }
    if (extensions.smtpUtf8() && (nonAscii(from) || anyNonAscii(recipients))) {
      b.append(" SMTPUTF8");
    }
    return b.toString();
  }

  static String[] rcptLines(String[] recipients) {
    String[] lines = new String[recipients.length];
    for (int i = 0; i < lines.length; i++) {
      lines[i] = "RCPT TO:<" + recipients[i] + ">";
    }
    return lines;
  }

  static boolean anyNonAscii(String[] addresses) {
    for (String a : addresses) {
      if (nonAscii(a)) {
        return true;
      }
    }
    return false;
  }

  static boolean nonAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0x7F) {
        return true;
      }
    }
    return false;
  }
}
