package dev.postbus.job;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An email job, schema 1 or 2: the wire contract between any publisher and the Postbus workers.
 * Schema 2 is schema 1 with {@code unsubscribe}: a job carrying it is written as 2, so a worker
 * that reads only 1 (not yet upgraded) dead-letters it as poison, replayable, instead of sending it
 * without its link and without checking the list's suppressions.
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
    Unsubscribe unsubscribe,
    JobClass jobClass) {

  /** The schema of a job without {@code unsubscribe}. */
  public static final int SCHEMA = 1;

  /** The schema of a job with {@code unsubscribe}; this code reads both. */
  public static final int SCHEMA_UNSUBSCRIBE = 2;

  /** A transactional job without {@code unsubscribe} (neither field in its JSON). */
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
        null,
        JobClass.TRANSACTIONAL);
  }

  /** A job of class {@code jobClass} without {@code unsubscribe}. */
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
      Instant expiresAt,
      JobClass jobClass) {
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
        null,
        jobClass);
  }

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
        unsubscribe,
        jobClass);
  }

  /**
   * This job with {@code unsubscribe} set (schema 2) or removed with null (schema 1); its class
   * kept.
   */
  public Job withUnsubscribe(Unsubscribe u) {
    return new Job(
        u == null ? SCHEMA : SCHEMA_UNSUBSCRIBE,
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
        u,
        jobClass);
  }

  /** The same job in class {@code c}; its {@code unsubscribe} (and schema) kept. */
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
        unsubscribe,
        c);
  }

  /** The list a recipient of this job may leave (its {@code unsubscribe.list}), or null. */
  public String list() {
    return unsubscribe == null ? null : unsubscribe.list();
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
