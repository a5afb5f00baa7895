package dev.postbus.worker.config;

import java.util.Locale;

/**
 * The provider behind a relay, for the metadata header that carries the job id into its bounce and
 * complaint notifications ({@code postbus feedback} reads it back under the name {@value
 * #METADATA_NAME} or {@value #METADATA_NAME_UNDERSCORE}). Each value is a fixed text around the job
 * id: no JSON library per message. A job id the provider cannot carry gets no header (the
 * Message-ID and {@code X-Postbus-Job} still name the job).
 */
public enum Provider {
  /** No metadata header. */
  NONE(null, null, null, 0),
  /** Amazon SES message tags: values of {@code [A-Za-z0-9_-]}, up to 256 characters. */
  SES("X-SES-MESSAGE-TAGS", Provider.METADATA_NAME + "=", "", 256),
  /** SendGrid unique arguments, which its Event Webhook returns as fields of each event. */
  SENDGRID(
      "X-SMTPAPI",
      "{\"unique_args\":{\"" + Provider.METADATA_NAME_UNDERSCORE + "\":\"",
      "\"}}",
      200),
  /** Postmark metadata: one header per field, values up to 80 characters. */
  POSTMARK("X-PM-Metadata-" + Provider.METADATA_NAME, "", "", 80),
  /** Mailgun variables, which its webhooks return as {@code user-variables}. */
  MAILGUN("X-Mailgun-Variables", "{\"" + Provider.METADATA_NAME_UNDERSCORE + "\":\"", "\"}", 200);

  /** The metadata name where a provider allows a hyphen (SES tags, Postmark). */
  public static final String METADATA_NAME = "postbus-job";

  /** The metadata name in the JSON of SendGrid and Mailgun. */
  public static final String METADATA_NAME_UNDERSCORE = "postbus_job";

  private final String header;
  private final String before;
  private final String after;
  private final int maxId;

  Provider(String header, String before, String after, int maxId) {
    this.header = header;
    this.before = before;
    this.after = after;
    this.maxId = maxId;
  }

  /** The header this provider reads, or null for {@link #NONE}. */
  public String header() {
    return header;
  }

  /**
   * The header's value for a job, or null when there is none: {@link #NONE}, or an id this provider
   * cannot carry (SES: outside {@code [A-Za-z0-9_-]}; Postmark: over 80 characters). The id is
   * inserted only when it is printable ASCII without {@code "} or {@code \} (a valid job id always
   * is), so it needs no escaping in JSON and cannot break the header line.
   */
  public String value(String jobId) {
    if (header == null || jobId.isEmpty() || jobId.length() > maxId) {
      return null;
    }
    for (int i = 0; i < jobId.length(); i++) {
      if (!carries(jobId.charAt(i))) {
        return null;
      }
    }
    return before + jobId + after;
  }

  private boolean carries(char c) {
    boolean word = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (this == SES) {
      return word || c == '_' || c == '-';
    }
    return c > ' ' && c < 0x7F && c != '"' && c != '\\';
  }

  /** The name in configuration form: {@code ses}. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
