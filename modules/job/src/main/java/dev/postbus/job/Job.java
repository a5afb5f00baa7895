package dev.postbus.job;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An email job, schema 1: the wire contract between any publisher and the Postbus workers.
 *
 * <p>A {@code Job} as constructed is not necessarily valid; {@link JobValidator} decides.
 * Collections are never null (empty when absent) and are copied, so a job is immutable. {@link
 * #toString()} shows no address, subject or body.
 */
public record Job(
    int schema,
    String id,
    MailAddress from,
    MailAddress replyTo,
    List<MailAddress> to,
    List<MailAddress> cc,
    List<MailAddress> bcc,
    String subject,
    String text,
    String html,
    Map<String, String> headers,
    List<Attachment> attachments,
    Map<String, String> tags,
    Instant notBefore,
    Instant expiresAt,
    JobClass jobClass) {

  /** The only schema version this code reads and writes. */
  public static final int SCHEMA = 1;

  public Job {
    jobClass = jobClass == null ? JobClass.TRANSACTIONAL : jobClass;
    to = to == null ? List.of() : List.copyOf(to);
    cc = cc == null ? List.of() : List.copyOf(cc);
    bcc = bcc == null ? List.of() : List.copyOf(bcc);
    headers =
        headers == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
    attachments = attachments == null ? List.of() : List.copyOf(attachments);
    tags =
        tags == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tags));
  }

  /** A transactional job (the class absent from its JSON). */
  public Job(
      int schema,
      String id,
      MailAddress from,
      MailAddress replyTo,
      List<MailAddress> to,
      List<MailAddress> cc,
      List<MailAddress> bcc,
      String subject,
      String text,
      String html,
      Map<String, String> headers,
      List<Attachment> attachments,
      Map<String, String> tags,
      Instant notBefore,
      Instant expiresAt) {
    this(
        schema,
        id,
        from,
        replyTo,
        to,
        cc,
        bcc,
        subject,
        text,
        html,
        headers,
        attachments,
        tags,
        notBefore,
        expiresAt,
        JobClass.TRANSACTIONAL);
  }

  /**
   * A minimal text job: one recipient, a subject and a plain-text body. Addresses may carry a
   * display name ({@code "Bob <bob@example.com>"}).
   */
  public static Job text(String id, String from, String to, String subject, String text) {
    return new Job(
        SCHEMA,
        id,
        MailAddress.parse(from),
        null,
        List.of(MailAddress.parse(to)),
        null,
        null,
        subject,
        text,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  public Job withId(String newId) {
    return new Job(
        schema,
        newId,
        from,
        replyTo,
        to,
        cc,
        bcc,
        subject,
        text,
        html,
        headers,
        attachments,
        tags,
        notBefore,
        expiresAt,
        jobClass);
  }

  /** The same job in class {@code c}. */
  public Job withClass(JobClass c) {
    return new Job(
        schema,
        id,
        from,
        replyTo,
        to,
        cc,
        bcc,
        subject,
        text,
        html,
        headers,
        attachments,
        tags,
        notBefore,
        expiresAt,
        c);
  }

  /** Every envelope recipient: to, cc and bcc, in that order. */
  public List<MailAddress> recipients() {
    var all = new java.util.ArrayList<MailAddress>(to.size() + cc.size() + bcc.size());
    all.addAll(to);
    all.addAll(cc);
    all.addAll(bcc);
    return all;
  }

  @Override
  public String toString() {
    return "Job[id="
        + id
        + ", schema="
        + schema
        + ", recipients="
        + recipients().size()
        + ", attachments="
        + attachments.size()
        + ", class="
        + jobClass
        + "]";
  }
}
