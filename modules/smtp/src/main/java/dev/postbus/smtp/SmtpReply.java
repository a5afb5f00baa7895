package dev.postbus.smtp;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server reply: the three-digit code, the RFC 3463 enhanced status code when the server gave one,
 * and the text (one line, truncated). Replies can name recipients, so the text is for dead-letter
 * headers and events, not for logs.
 */
public record SmtpReply(int code, String enhancedCode, String text) {

  public static final int MAX_TEXT = 512;
  private static final Pattern ENHANCED =
      Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?=\\s|$)");

  /** Parses {@code "550 5.1.1 User unknown"}; the code given wins over one found in the text. */
  public static SmtpReply parse(int code, String response) {
    String text = response == null ? "" : response.strip();
    if (text.length() >= 4
        && text.startsWith(Integer.toString(code))
        && (text.charAt(3) == ' ' || text.charAt(3) == '-')) {
      text = text.substring(4);
    }
    text = text.replaceAll("[\\r\\n]+", " ").strip();
    Matcher m = ENHANCED.matcher(text);
    String enhanced = null;
    if (m.find()) {
      enhanced = m.group(1) + "." + m.group(2) + "." + m.group(3);
      text = text.substring(m.end()).strip();
    }
    if (text.length() > MAX_TEXT) {
      text = text.substring(0, MAX_TEXT);
    }
    return new SmtpReply(code, enhanced, text);
  }

  public boolean positive() {
    return code >= 200 && code < 400;
  }

  public boolean transientFailure() {
    return code >= 400 && code < 500;
  }

  public boolean permanentFailure() {
    return code >= 500 && code < 600;
  }

  /** "550 5.1.1": the codes only, safe for logs. */
  public String codes() {
    return enhancedCode == null ? Integer.toString(code) : code + " " + enhancedCode;
  }
}
