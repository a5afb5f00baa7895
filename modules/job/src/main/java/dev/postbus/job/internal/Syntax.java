package dev.postbus.job.internal;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** The lexical rules of schema 1, mirrored in {@code docs/job.schema.json}. */
public final class Syntax {

  private static final String ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
  private static final String LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";

  /** An ASCII addr-spec: dot-atom local part, host name with at least two labels. */
  public static final Pattern ADDRESS =
      Pattern.compile(ATEXT + "+(?:\\." + ATEXT + "+)*@" + LABEL + "(?:\\." + LABEL + ")+");

  /** {@code Display Name <addr>}; the name may be quoted. */
  public static final Pattern NAMED_ADDRESS =
      Pattern.compile("[ \\t]*([^<>]*?)[ \\t]*<([^<>]*)>[ \\t]*");

  public static final Pattern ID = Pattern.compile("[A-Za-z0-9._:~+=/@-]{1,200}");
  public static final Pattern HEADER_NAME = Pattern.compile("[!-9;-~]{1,76}");
  public static final Pattern CONTENT_TYPE =
      Pattern.compile(
          "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}");

  /**
   * A Content-ID without its angle brackets: printable ASCII and the space (0x20-0x7E) but {@code
   * <} and {@code >}; a space cannot end the header line, and jobs queued before this check have
   * one. The worker writes it into a header as it is, and a character above 0x7E would be written
   * as its low byte (U+010A as a line feed). Its length is checked apart: {@link #MAX_CONTENT_ID}
   * for a job made or published, {@link #MAX_QUEUED_CONTENT_ID} for one read.
   */
  public static final Pattern CONTENT_ID = Pattern.compile("[ -;=?-~]+");

  /**
   * The longest content id of a job made or published: {@code "Content-ID: <" + id + ">"} is 998
   * characters, the most a header line holds.
   */
  public static final int MAX_CONTENT_ID = 984;

  /**
   * The longest content id of a job read from a topic: the limit before {@link #MAX_CONTENT_ID}, so
   * a job queued or dead-lettered then is still delivered and replayed as it was.
   */
  public static final int MAX_QUEUED_CONTENT_ID = 998;

  public static final int MAX_ADDRESS_LENGTH = 254;
  public static final int MAX_NAME_LENGTH = 256;
  public static final int MAX_LINE = 998;
  public static final int MAX_TAGS = 64;
  public static final int MAX_TAG_KEY = 128;
  public static final int MAX_TAG_VALUE = 1024;
  public static final int MAX_HEADERS = 64;
  public static final int MAX_ATTACHMENTS = 32;

  /** Headers Postbus writes itself; a job may not set them. */
  public static final Set<String> RESERVED_HEADERS =
      Set.of(
          "from",
          "to",
          "cc",
          "bcc",
          "subject",
          "message-id",
          "date",
          "mime-version",
          "content-type",
          "content-transfer-encoding",
          "reply-to",
          "sender",
          "return-path");

  private Syntax() {}

  public static boolean isReservedHeader(String name) {
    return RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT));
  }

  /**
   * True when the text holds CR, LF or NUL: the characters that would end or break a header line.
   */
  public static boolean hasLineBreakOrNul(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\r' || c == '\n' || c == '\0') {
        return true;
      }
    }
    return false;
  }

  /** The longest key (tag or header name) a field names before it is clipped. */
  public static final int MAX_KEY_IN_FIELD = 40;

  /**
   * {@code prefix.key} for a reason's field: the key clipped to {@value #MAX_KEY_IN_FIELD}
   * characters ("…" marks a cut), each control or line-separator character (CR, LF, NUL, U+0085,
   * U+2028...) shown as {@code ?}, so a field is always one short line.
   */
  public static String field(String prefix, String key) {
    int end = Math.min(key.length(), MAX_KEY_IN_FIELD);
    if (end < key.length() && Character.isHighSurrogate(key.charAt(end - 1))) {
      end--;
    }
    StringBuilder sb = new StringBuilder(prefix.length() + end + 2).append(prefix).append('.');
    for (int i = 0; i < end; i++) {
      char c = key.charAt(i);
      boolean breaks =
          Character.isISOControl(c)
              || Character.getType(c) == Character.LINE_SEPARATOR
              || Character.getType(c) == Character.PARAGRAPH_SEPARATOR;
      sb.append(breaks ? '?' : c);
    }
    return end < key.length() ? sb.append('…').toString() : sb.toString();
  }

  /**
   * Strict padded base64 (standard alphabet, no whitespace), checked without a backtracking regex.
   */
  public static boolean isBase64(String s) {
    int n = s.length();
    if (n % 4 != 0) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      boolean alphabet =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '+'
              || c == '/';
      if (!alphabet && !(c == '=' && i >= n - 2 && (i == n - 1 || s.charAt(n - 1) == '='))) {
        return false;
      }
    }
    return true;
  }

  public static long decodedBase64Length(String s) {
    int padding = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
    return (long) s.length() / 4 * 3 - padding;
  }
}
