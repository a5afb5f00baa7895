package dev.postbus.smtp.internal;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a server offered in its EHLO reply (RFC 5321 4.1.1.1). The first line is the server's name
 * and is not an extension. {@link #summary()} lists the keywords (and SIZE's limit), which name no
 * person: safe for logs.
 *
 * @param size the SIZE limit in bytes; 0 when offered without a limit; -1 when not offered
 */
public record Extensions(
    boolean pipelining,
    boolean chunking,
    long size,
    boolean eightBitMime,
    boolean smtpUtf8,
    boolean startTls,
    Set<String> authMechanisms,
    String summary) {

  /** A server that answered HELO only (or an EHLO with no extensions). */
  public static final Extensions NONE =
      new Extensions(false, false, -1, false, false, false, Set.of(), "(none)");

  public static Extensions parse(List<String> ehloLines) {
    boolean pipelining = false;
    boolean chunking = false;
    long size = -1;
    boolean eightBit = false;
    boolean utf8 = false;
    boolean startTls = false;
    Set<String> auth = new TreeSet<>();
    Set<String> keywords = new TreeSet<>();
    for (int i = 1; i < ehloLines.size(); i++) {
      String[] words = ehloLines.get(i).strip().split("[ =]+");
      if (words.length == 0 || words[0].isEmpty()) {
        continue;
      }
      String keyword = words[0].toUpperCase(Locale.ROOT);
      if (!keyword.matches("[A-Z0-9][A-Z0-9-]{0,63}")) {
        continue;
      }
      switch (keyword) {
        case "PIPELINING" -> pipelining = true;
        case "CHUNKING" -> chunking = true;
        case "8BITMIME" -> eightBit = true;
        case "SMTPUTF8" -> utf8 = true;
        case "STARTTLS" -> startTls = true;
        case "SIZE" -> size = words.length > 1 ? parseSize(words[1]) : 0;
        case "AUTH" -> {
          for (int w = 1; w < words.length; w++) {
            auth.add(words[w].toUpperCase(Locale.ROOT));
          }
        }
        default -> {}
      }
      keywords.add(
          keyword.equals("SIZE") && size > 0
              ? "SIZE " + size
              : keyword.equals("AUTH") ? "AUTH " + String.join(" ", auth) : keyword);
    }
    return new Extensions(
        pipelining,
        chunking,
        size,
        eightBit,
        utf8,
        startTls,
        Set.copyOf(auth),
        keywords.isEmpty() ? "(none)" : String.join(", ", keywords));
  }

  private static long parseSize(String s) {
    try {
      return Math.max(0, Long.parseLong(s));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
