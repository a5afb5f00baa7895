package dev.postbus.worker.outcome;

import dev.postbus.smtp.SmtpReply;

/**
 * The relay's own id of a message it accepted, read from its 250 reply to the end of DATA or BDAT,
 * for the {@code delivered} event's {@code relayMessageId}: Postfix and SendGrid {@code Ok: queued
 * as <id>}, SES {@code Ok <id>}, Exim {@code OK id=<id>}, Sendmail {@code <id> Message accepted for
 * delivery}. Null when the reply names none. Bounded: at most {@value #MAX_LENGTH} characters of
 * printable ASCII without quotes or backslashes, or nothing (never a cut id).
 */
public final class RelayMessageIds {

  /** The longest id recorded. */
  public static final int MAX_LENGTH = 128;

  private static final String QUEUED_AS = "queued as ";
  private static final String SENDMAIL_TAIL = " message accepted for delivery";

  private RelayMessageIds() {}

  /**
   * The id the reply names, or null. Matched ASCII case-insensitively on the text itself
   * (lower-casing can change its length); an id that reaches the end of a reply cut at {@link
   * SmtpReply#MAX_TEXT} may be cut itself, so it is not recorded.
   */
  public static String fromReply(SmtpReply reply) {
    String text = reply == null ? null : reply.text();
    if (text == null || text.isEmpty()) {
      return null;
    }
    String id = find(text);
    if (id != null && text.length() >= SmtpReply.MAX_TEXT && text.endsWith(id)) {
      return null;
    }
    return id;
  }

  private static String find(String text) {
    int queued = indexOfIgnoreAsciiCase(text, QUEUED_AS);
    if (queued >= 0) {
      return token(text, queued + QUEUED_AS.length());
    }
    if (regionIgnoresAsciiCase(text, 0, "ok id=")) {
      return token(text, "ok id=".length());
    }
    if (regionIgnoresAsciiCase(text, 0, "ok ") && text.indexOf(' ', 3) < 0) {
      return token(text, 3);
    }
    int tail = text.length() - SENDMAIL_TAIL.length();
    if (tail > 0
        && regionIgnoresAsciiCase(text, tail, SENDMAIL_TAIL)
        && text.indexOf(' ') == tail) {
      return token(text, 0);
    }
    return null;
  }

  private static int indexOfIgnoreAsciiCase(String text, String lowerNeedle) {
    for (int i = 0; i + lowerNeedle.length() <= text.length(); i++) {
      if (regionIgnoresAsciiCase(text, i, lowerNeedle)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Whether {@code text} holds {@code lowerNeedle} (ASCII lower case) at {@code at}, ASCII case
   * aside.
   */
  private static boolean regionIgnoresAsciiCase(String text, int at, String lowerNeedle) {
    if (at < 0 || at + lowerNeedle.length() > text.length()) {
      return false;
    }
    for (int i = 0; i < lowerNeedle.length(); i++) {
      char c = text.charAt(at + i);
      char lower = c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
      if (lower != lowerNeedle.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** The word at {@code from} (up to a space or the end), when it is a bounded id; else null. */
  private static String token(String text, int from) {
    int end = text.indexOf(' ', from);
    if (end < 0) {
      end = text.length();
    }
    if (end == from || end - from > MAX_LENGTH) {
      return null;
    }
    for (int i = from; i < end; i++) {
      char c = text.charAt(i);
      if (c <= ' ' || c >= 0x7F || c == '"' || c == '\\') {
        return null;
      }
    }
    return text.substring(from, end);
  }
}
