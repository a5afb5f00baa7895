package dev.postbus.job;

/**
 * Size limits a job must respect. A payload over {@code maxPayloadBytes} is refused before it is
 * parsed.
 *
 * @param maxPayloadBytes the whole record value, in bytes
 * @param maxAttachmentBytes one attachment, decoded, in bytes
 * @param maxRecipients to + cc + bcc
 */
public record JobLimits(int maxPayloadBytes, int maxAttachmentBytes, int maxRecipients) {

  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
  public static final int DEFAULT_MAX_ATTACHMENT_BYTES = 7 * 1024 * 1024;
  public static final int DEFAULT_MAX_RECIPIENTS = 100;

  public static final JobLimits DEFAULTS =
      new JobLimits(
          DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_ATTACHMENT_BYTES, DEFAULT_MAX_RECIPIENTS);

  public JobLimits {
    if (maxPayloadBytes < 1024) {
      throw new IllegalArgumentException(
          "job.max-bytes must be at least 1024, got " + maxPayloadBytes);
    }
    if (maxAttachmentBytes < 1 || maxAttachmentBytes > maxPayloadBytes) {
      throw new IllegalArgumentException(
          "job.max-attachment-bytes must be between 1 and job.max-bytes ("
              + maxPayloadBytes
              + "), got "
              + maxAttachmentBytes);
    }
    if (maxRecipients < 1 || maxRecipients > 10_000) {
      throw new IllegalArgumentException(
          "job.max-recipients must be between 1 and 10000, got " + maxRecipients);
    }
  }
}
