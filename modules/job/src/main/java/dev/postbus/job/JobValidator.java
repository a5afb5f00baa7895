package dev.postbus.job;

import dev.postbus.job.internal.Syntax;
import java.util.List;
import java.util.Map;

/**
 * The rules of schemas 1 and 2. Each failure names its field; the first failure found is reported.
 *
 * <p>Rules: {@code schema} is 1 or 2, and 2 when {@code unsubscribe} is present; {@code id} is
 * 1–200 characters of {@code [A-Za-z0-9._:~+=/@-]}; {@code from} and every recipient is a valid
 * ASCII address (display names without CR, LF, NUL); at least one recipient; at most {@link
 * JobLimits#maxRecipients()}; {@code subject} present, one line, at most 998 characters; {@code
 * text} or {@code html}; custom headers with valid names, not reserved, one-line values;
 * attachments with a file name, a {@code type/subtype} content type and strict base64 content under
 * the size limit, a content id of printable ASCII; at most 64 tags; {@code expiresAt} after {@code
 * notBefore}.
 */
public final class JobValidator {

  private final JobLimits limits;
  private final int maxContentId;

  /** The rules for a job made or published. */
  public JobValidator(JobLimits limits) {
    this(limits, Syntax.MAX_CONTENT_ID);
  }

  private JobValidator(JobLimits limits, int maxContentId) {
    this.limits = limits;
    this.maxContentId = maxContentId;
  }

  /**
   * The rules for a job read from a topic: those of {@link #JobValidator(JobLimits)} but a content
   * id of up to {@value Syntax#MAX_QUEUED_CONTENT_ID} characters, as before the limit for new jobs
   * was {@value Syntax#MAX_CONTENT_ID}, so that a job queued then is not refused as poison.
   */
  public static JobValidator forQueuedJobs(JobLimits limits) {
    return new JobValidator(limits, Syntax.MAX_QUEUED_CONTENT_ID);
  }

  public void validate(Job job) throws InvalidJobException {
    if (job.schema() != Job.SCHEMA && job.schema() != Job.SCHEMA_UNSUBSCRIBE) {
      throw new InvalidJobException(
          "schema",
          "unsupported version "
              + job.schema()
              + " (this version reads "
              + Job.SCHEMA
              + " and "
              + Job.SCHEMA_UNSUBSCRIBE
              + ")");
    }
    if (job.unsubscribe() != null && job.schema() != Job.SCHEMA_UNSUBSCRIBE) {
      throw new InvalidJobException(
          "schema",
          "a job with unsubscribe is schema "
              + Job.SCHEMA_UNSUBSCRIBE
              + " (a worker reading only "
              + Job.SCHEMA
              + " would send it without the link)");
    }
    if (job.id() == null) {
      throw new InvalidJobException("id", "is required");
    }
    if (!Syntax.ID.matcher(job.id()).matches()) {
      throw new InvalidJobException(
          "id", "must be 1 to 200 characters of A-Z a-z 0-9 . _ : ~ + = / @ -");
    }
    if (job.from() == null) {
      throw new InvalidJobException("from", "is required");
    }
    checkAddress("from", job.from());
    if (job.replyTo() != null) {
      checkAddress("replyTo", job.replyTo());
    }
    checkRecipients(job);
    checkLine("subject", job.subject(), true);
    if (job.text() == null && job.html() == null) {
      throw new InvalidJobException("text", "a job needs text, html or both");
    }
    checkHeaders(job.headers());
    checkAttachments(job.attachments());
    checkTags(job.tags());
    checkUnsubscribe(job);
    if (job.notBefore() != null
        && job.expiresAt() != null
        && !job.expiresAt().isAfter(job.notBefore())) {
      throw new InvalidJobException("expiresAt", "must be after notBefore");
    }
  }

  /** RFC 8058 one-click unsubscribe: one list, one recipient (the token names them both). */
  private static void checkUnsubscribe(Job job) throws InvalidJobException {
    if (job.unsubscribe() == null) {
      return;
    }
    if (!Unsubscribe.isValidList(job.unsubscribe().list())) {
      throw new InvalidJobException("unsubscribe.list", Unsubscribe.LIST_RULE);
    }
    if (job.recipients().size() != 1) {
      throw new InvalidJobException(
          "unsubscribe",
          "a job with unsubscribe must have exactly one recipient in to, cc and bcc (it has "
              + job.recipients().size()
              + "): the unsubscribe link names its recipient");
    }
  }

  private void checkRecipients(Job job) throws InvalidJobException {
    int total = job.to().size() + job.cc().size() + job.bcc().size();
    if (total == 0) {
      throw new InvalidJobException("to", "at least one recipient is required in to, cc or bcc");
    }
    if (total > limits.maxRecipients()) {
      throw new InvalidJobException(
          "to", total + " recipients in to, cc and bcc; the limit is " + limits.maxRecipients());
    }
    checkAddresses("to", job.to());
    checkAddresses("cc", job.cc());
    checkAddresses("bcc", job.bcc());
  }

  private static void checkAddresses(String field, List<MailAddress> addresses)
      throws InvalidJobException {
    for (int i = 0; i < addresses.size(); i++) {
      checkAddress(field + "[" + i + "]", addresses.get(i));
    }
  }

  static void checkAddress(String field, MailAddress a) throws InvalidJobException {
    String address = a.address();
    if (Syntax.hasLineBreakOrNul(address)) {
      throw new InvalidJobException(field, "address contains CR, LF or NUL (header injection)");
    }
    if (address.length() > Syntax.MAX_ADDRESS_LENGTH
        || !Syntax.ADDRESS.matcher(address).matches()) {
      throw new InvalidJobException(
          field, "not a valid email address (local@domain, ASCII, at most 254 characters)");
    }
    if (a.name() != null) {
      if (Syntax.hasLineBreakOrNul(a.name())) {
        throw new InvalidJobException(field + ".name", "contains CR, LF or NUL (header injection)");
      }
      if (a.name().length() > Syntax.MAX_NAME_LENGTH) {
        throw new InvalidJobException(
            field + ".name", "longer than " + Syntax.MAX_NAME_LENGTH + " characters");
      }
    }
  }

  private static void checkLine(String field, String value, boolean required)
      throws InvalidJobException {
    if (value == null) {
      if (required) {
        throw new InvalidJobException(field, "is required");
      }
      return;
    }
    if (Syntax.hasLineBreakOrNul(value)) {
      throw new InvalidJobException(field, "contains CR, LF or NUL (header injection)");
    }
    if (value.length() > Syntax.MAX_LINE) {
      throw new InvalidJobException(field, "longer than " + Syntax.MAX_LINE + " characters");
    }
  }

  private static void checkHeaders(Map<String, String> headers) throws InvalidJobException {
    if (headers.size() > Syntax.MAX_HEADERS) {
      throw new InvalidJobException("headers", "more than " + Syntax.MAX_HEADERS + " headers");
    }
    for (var e : headers.entrySet()) {
      String name = e.getKey();
      String field = Syntax.field("headers", name);
      if (!Syntax.HEADER_NAME.matcher(name).matches()) {
        throw new InvalidJobException(
            field, "not a valid header name (printable ASCII without ':' or space)");
      }
      if (Syntax.isReservedHeader(name)) {
        throw new InvalidJobException(field, "is set by Postbus and cannot be given in headers");
      }
      checkLine(field, e.getValue(), true);
    }
  }

  private void checkAttachments(List<Attachment> attachments) throws InvalidJobException {
    if (attachments.size() > Syntax.MAX_ATTACHMENTS) {
      throw new InvalidJobException(
          "attachments", "more than " + Syntax.MAX_ATTACHMENTS + " attachments");
    }
    for (int i = 0; i < attachments.size(); i++) {
      Attachment a = attachments.get(i);
      String field = "attachments[" + i + "]";
      checkLine(field + ".filename", a.filename(), true);
      if (a.filename().isEmpty() || a.filename().length() > 255 || a.filename().contains("\"")) {
        throw new InvalidJobException(
            field + ".filename", "must be 1 to 255 characters without '\"'");
      }
      if (a.contentType() != null && !Syntax.CONTENT_TYPE.matcher(a.contentType()).matches()) {
        throw new InvalidJobException(field + ".contentType", "must look like type/subtype");
      }
      if (a.contentId() != null
          && (a.contentId().length() > maxContentId
              || !Syntax.CONTENT_ID.matcher(a.contentId()).matches())) {
        throw new InvalidJobException(
            field + ".contentId",
            "must be 1 to "
                + maxContentId
                + " characters of printable ASCII or space, without '<' or '>'"
                + (maxContentId == Syntax.MAX_CONTENT_ID
                    ? " (its Content-ID header line holds 998)"
                    : ""));
      }
      if (!Syntax.isBase64(a.content())) {
        throw new InvalidJobException(
            field + ".content", "is not padded standard base64 (no whitespace)");
      }
      if (Syntax.decodedBase64Length(a.content()) > limits.maxAttachmentBytes()) {
        throw new InvalidJobException(
            field + ".content", "larger than " + limits.maxAttachmentBytes() + " bytes decoded");
      }
    }
  }

  private static void checkTags(Map<String, String> tags) throws InvalidJobException {
    if (tags.size() > Syntax.MAX_TAGS) {
      throw new InvalidJobException("tags", "more than " + Syntax.MAX_TAGS + " tags");
    }
    String rule = "a tag name must be 1 to " + Syntax.MAX_TAG_KEY + " characters";
    for (var e : tags.entrySet()) {
      String key = e.getKey();
      if (key.isEmpty()) {
        throw new InvalidJobException("tags", rule + " (one is empty)");
      }
      String field = Syntax.field("tags", key);
      if (key.length() > Syntax.MAX_TAG_KEY) {
        throw new InvalidJobException(field, rule + " (this one has " + key.length() + ")");
      }
      if (e.getValue().length() > Syntax.MAX_TAG_VALUE) {
        throw new InvalidJobException(field, "longer than " + Syntax.MAX_TAG_VALUE + " characters");
      }
    }
  }
}
