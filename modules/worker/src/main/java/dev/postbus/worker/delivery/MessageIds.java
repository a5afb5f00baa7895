package dev.postbus.worker.delivery;

import java.nio.charset.StandardCharsets;

/**
 * The Message-ID of a job, derived from its id so that a resend carries the same one: {@code
 * <id@sender-domain>}, with every character of the id outside {@code [A-Za-z0-9_-]} written as
 * {@code =XX} (so the mapping is one-to-one and the result is always a valid dot-atom).
 */
public final class MessageIds {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private MessageIds() {}

  public static String forJob(String jobId, String domain) {
    StringBuilder sb = new StringBuilder(jobId.length() + domain.length() + 8).append('<');
    for (byte b : jobId.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xFF);
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '_'
          || c == '-') {
        sb.append(c);
      } else {
        sb.append('=').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
      }
    }
    return sb.append('@')
        .append(domain.isEmpty() ? "postbus.invalid" : domain)
        .append('>')
        .toString();
  }
}
