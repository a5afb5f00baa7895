package dev.postbus.worker.outcome;

import dev.postbus.smtp.SmtpReply;
import java.util.Locale;

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

  /** The id the reply names, or null. */
  public static String fromReply(SmtpReply reply) {
    String text = reply == null ? null : reply.text();
    if (text == null || text.isEmpty()) {
      return null;
    }
    String lower = text.toLowerCase(Locale.ROOT);
    int queued = lower.indexOf(QUEUED_AS);
    if (queued >= 0) {
      return token(text, queued + QUEUED_AS.length());
    }
    if (lower.startsWith("ok id=")) {
      return token(text, "ok id=".length());
    }
    if (lower.startsWith("ok ") && text.indexOf(' ', 3) < 0) {
      return token(text, 3);
    }
    if (lower.endsWith(SENDMAIL_TAIL)
        && text.indexOf(' ') == text.length() - SENDMAIL_TAIL.length()) {
      return token(text, 0);
    }
    return null;
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
