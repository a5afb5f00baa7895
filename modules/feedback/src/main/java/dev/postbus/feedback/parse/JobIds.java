package dev.postbus.feedback.parse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Finds the job a report is about. In order: an {@code X-Postbus-Job} header the provider quotes
 * (the worker's own, unambiguous); the Message-ID Postbus sets, {@code <job-id@sender-domain>} with
 * every byte outside {@code [A-Za-z0-9_-]} written {@code =XX}; the provider's metadata named
 * {@code postbus-job} or {@code postbus_job}. Each candidate must be a job id the job format
 * allows.
 */
public final class JobIds {

  /** The header the worker adds to every message. */
  public static final String HEADER = "X-Postbus-Job";

  /** Names of the metadata entry (SES tag, Postmark metadata, SendGrid/Mailgun variables). */
  public static final List<String> METADATA_NAMES = List.of("postbus-job", "postbus_job");

  /** What the job format allows as an id (docs/job-format.md). */
  private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._:~+=/@-]{1,200}");

  private static final Pattern ESCAPED_LOCAL =
      Pattern.compile("(?:[A-Za-z0-9_-]|=[0-9A-F]{2}){1,600}");

  private JobIds() {}

  /** A candidate kept only when it is a valid job id; else null. */
  public static String valid(String candidate) {
    if (candidate == null) {
      return null;
    }
    String c = candidate.strip();
    return JOB_ID.matcher(c).matches() ? c : null;
  }

  /**
   * The job id a Postbus Message-ID carries, or null when the Message-ID is not of Postbus's form
   * or is the relay's own id ({@code relayMessageId}: SES may report its own).
   */
  public static String fromMessageId(String messageId, String relayMessageId) {
    if (messageId == null) {
      return null;
    }
    String m = messageId.strip();
    if (m.startsWith("<") && m.endsWith(">")) {
      m = m.substring(1, m.length() - 1);
    }
    int at = m.lastIndexOf('@');
    if (at <= 0 || at == m.length() - 1) {
      return null;
    }
    String local = m.substring(0, at);
    String domain = m.substring(at + 1).toLowerCase(Locale.ROOT);
    if (!ESCAPED_LOCAL.matcher(local).matches()
        || local.equals(relayMessageId)
        || domain.endsWith("amazonses.com")) {
      return null;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(local.length());
    for (int i = 0; i < local.length(); i++) {
      char c = local.charAt(i);
      if (c == '=') {
        bytes.write(HexFormat.fromHexDigits(local, i + 1, i + 3));
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    return valid(bytes.toString(StandardCharsets.UTF_8));
  }

  /** The value of the metadata entry named as {@link #METADATA_NAMES} say, or null. */
  public static String fromMetadata(Map<String, String> metadata) {
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      if (METADATA_NAMES.contains(e.getKey().toLowerCase(Locale.ROOT))) {
        String id = valid(e.getValue());
        if (id != null) {
          return id;
        }
      }
    }
    return null;
  }

  /** The first non-null of the candidates, in the order given. */
  public static String first(String... candidates) {
    for (String c : candidates) {
      if (c != null) {
        return c;
      }
    }
    return null;
  }
}
