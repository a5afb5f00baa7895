package dev.postbus.worker.delivery;

import dev.postbus.job.Attachment;
import dev.postbus.job.Job;
import dev.postbus.job.MailAddress;
import dev.postbus.worker.config.ReturnPath;
import dev.postbus.worker.config.UnsubscribeLinks;
import jakarta.activation.DataHandler;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.UnsupportedEncodingException;
import java.time.Clock;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.eclipse.angus.mail.smtp.SMTPMessage;

/**
 * Builds the MIME message of a validated job: text and/or HTML (multipart/alternative), attachments
 * (multipart/mixed; inline ones with a Content-ID in multipart/related), custom headers, a
 * Message-ID derived from the job id and the job id itself in {@value #JOB_HEADER} (both read back
 * by {@code postbus feedback} to tie a bounce to its job; a job cannot set either). Bcc recipients
 * are envelope-only. The envelope sender is chosen per relay at send time ({@link EnvelopeSender}).
 */
public final class MessageBuilder {

  /** The header naming the job on every message. */
  public static final String JOB_HEADER = "X-Postbus-Job";

  private static final String UTF8 = "UTF-8";

  private final Session session;
  private final Clock clock;
  private final EnvelopeSender envelopeSender;
  private final UnsubscribeLinks unsubscribe;

  /** RFC 2369: the link a recipient leaves a list with. */
  public static final String LIST_UNSUBSCRIBE = "List-Unsubscribe";

  /** RFC 8058: the link takes a POST of this body (one click, no page). */
  public static final String LIST_UNSUBSCRIBE_POST = "List-Unsubscribe-Post";

  /** The value of {@value #LIST_UNSUBSCRIBE_POST}, and the body the link is posted. */
  public static final String ONE_CLICK = "List-Unsubscribe=One-Click";

  /** The envelope sender is the job's {@code from}. */
  public MessageBuilder(Session session, Clock clock) {
    this(session, clock, null);
  }

  /**
   * @param returnPath the VERP return path of jobs sent to a plain MTA, or null for the job's
   *     {@code from} everywhere; set per relay at send time ({@link #envelopeSender})
   */
  public MessageBuilder(Session session, Clock clock, ReturnPath returnPath) {
    this(session, clock, returnPath, null);
  }

  /**
   * @param unsubscribe the links of jobs with {@code unsubscribe}, or null: then such a job cannot
   *     be built ({@link Preparation} refuses it first)
   */
  public MessageBuilder(
      Session session, Clock clock, ReturnPath returnPath, UnsubscribeLinks unsubscribe) {
    this.session = session;
    this.clock = clock;
    this.envelopeSender = new EnvelopeSender(returnPath);
    this.unsubscribe = unsubscribe;
  }

  /** Whether jobs with {@code unsubscribe} can be built (a base URL and a key are set). */
  boolean makesUnsubscribeLinks() {
    return unsubscribe != null;
  }

  /** Chooses each message's envelope sender for the relay it goes to. */
  EnvelopeSender envelopeSender() {
    return envelopeSender;
  }

  public MimeMessage build(Job job) throws MessagingException {
    String messageId = MessageIds.forJob(job.id(), job.from().domain());
    SMTPMessage m =
        new SMTPMessage(session) {
          @Override
          protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
          }
        };
    m.setFrom(internet(job.from()));
    if (job.replyTo() != null) {
      m.setReplyTo(new Address[] {internet(job.replyTo())});
    }
    setRecipients(m, Message.RecipientType.TO, job.to());
    setRecipients(m, Message.RecipientType.CC, job.cc());
    m.setSubject(job.subject(), UTF8);
    m.setSentDate(Date.from(clock.instant()));
    for (var h : job.headers().entrySet()) {
      m.setHeader(h.getKey(), encodeHeader(h.getKey(), h.getValue()));
    }
    // after the job's headers: a job's own (accepted, for jobs from before) is replaced
    // The id is validated (printable ASCII, no CR/LF): safe in a header as it is.
    m.setHeader(JOB_HEADER, job.id());
    setUnsubscribe(m, job);
    setBody(m, job);
    m.saveChanges();
    return m;
  }

  /**
   * RFC 8058 one-click unsubscribe, for a job with {@code unsubscribe} (one recipient, validated):
   * each header on one line, never folded (some receivers read a folded URL wrong; the longest
   * token and base URL fit in 998 octets). Replaces the job's own, if it set them.
   */
  private void setUnsubscribe(MimeMessage m, Job job) throws MessagingException {
    if (job.unsubscribe() == null) {
      return;
    }
    if (unsubscribe == null) {
      throw new IllegalStateException("no unsubscribe.base-url for job " + job.id());
    }
    String url = unsubscribe.url(job.list(), job.recipients().get(0).address(), job.id());
    m.setHeader(LIST_UNSUBSCRIBE, "<" + url + ">");
    m.setHeader(LIST_UNSUBSCRIBE_POST, ONE_CLICK);
  }

  /** Every envelope recipient: to, cc and bcc. */
  public static Address[] envelope(Job job) throws MessagingException {
    return envelope(job, null);
  }

  /**
   * The envelope recipients, limited to {@code only} when it is not null (what is left of a job
   * after a partial send). Addresses in {@code only} that are not recipients of the job are
   * ignored.
   */
  public static Address[] envelope(Job job, List<String> only) throws MessagingException {
    List<MailAddress> all = job.recipients();
    List<Address> out = new java.util.ArrayList<>(all.size());
    for (MailAddress a : all) {
      if (only == null || only.stream().anyMatch(o -> o.equalsIgnoreCase(a.address()))) {
        out.add(new InternetAddress(a.address(), true));
      }
    }
    return out.toArray(Address[]::new);
  }

  private static void setBody(MimeMessage m, Job job) throws MessagingException {
    List<Attachment> inline =
        job.attachments().stream().filter(a -> a.contentId() != null).toList();
    List<Attachment> files = job.attachments().stream().filter(a -> a.contentId() == null).toList();
    if (job.attachments().isEmpty()) {
      setAlternatives(m, job);
      return;
    }
    MimeMultipart related = inline.isEmpty() ? null : related(job, inline);
    if (files.isEmpty()) {
      m.setContent(related);
      return;
    }
    MimeMultipart mixed = new MimeMultipart("mixed");
    MimeBodyPart content = new MimeBodyPart();
    if (related != null) {
      content.setContent(related);
    } else {
      setAlternatives(content, job);
    }
    mixed.addBodyPart(content);
    for (Attachment a : files) {
      mixed.addBodyPart(attachmentPart(a));
    }
    m.setContent(mixed);
  }

  private static MimeMultipart related(Job job, List<Attachment> inline) throws MessagingException {
    MimeMultipart related = new MimeMultipart("related");
    MimeBodyPart alternatives = new MimeBodyPart();
    setAlternatives(alternatives, job);
    related.addBodyPart(alternatives);
    for (Attachment a : inline) {
      related.addBodyPart(attachmentPart(a));
    }
    return related;
  }

  private static void setAlternatives(jakarta.mail.internet.MimePart part, Job job)
      throws MessagingException {
    if (job.text() != null && job.html() != null) {
      MimeMultipart alt = new MimeMultipart("alternative");
      MimeBodyPart text = new MimeBodyPart();
      TextBody.set(text, job.text(), "plain");
      MimeBodyPart html = new MimeBodyPart();
      TextBody.set(html, job.html(), "html");
      alt.addBodyPart(text);
      alt.addBodyPart(html);
      part.setContent(alt, alt.getContentType());
    } else if (job.html() != null) {
      TextBody.set(part, job.html(), "html");
    } else {
      TextBody.set(part, job.text(), "plain");
    }
  }

  private static MimeBodyPart attachmentPart(Attachment a) throws MessagingException {
    MimeBodyPart part = new MimeBodyPart();
    String type = a.contentType() == null ? "application/octet-stream" : a.contentType();
    part.setDataHandler(
        new DataHandler(new ByteArrayDataSource(Base64.getDecoder().decode(a.content()), type)));
    try {
      part.setFileName(MimeUtility.encodeText(a.filename(), UTF8, null));
    } catch (UnsupportedEncodingException e) {
      throw new MessagingException("UTF-8 missing", e);
    }
    if (a.contentId() != null) {
      part.setContentID("<" + a.contentId() + ">");
      part.setDisposition(MimeBodyPart.INLINE);
    } else {
      part.setDisposition(MimeBodyPart.ATTACHMENT);
    }
    return part;
  }

  private static void setRecipients(
      MimeMessage m, Message.RecipientType type, List<MailAddress> list) throws MessagingException {
    if (!list.isEmpty()) {
      Address[] addresses = new Address[list.size()];
      for (int i = 0; i < addresses.length; i++) {
        addresses[i] = internet(list.get(i));
      }
      m.setRecipients(type, addresses);
    }
  }

  private static InternetAddress internet(MailAddress a) throws MessagingException {
    try {
      return a.name() == null
          ? new InternetAddress(a.address(), true)
          : new InternetAddress(a.address(), a.name(), UTF8);
    } catch (UnsupportedEncodingException e) {
      throw new MessagingException("UTF-8 missing", e);
    }
  }

  private static String encodeHeader(String name, String value) throws MessagingException {
    try {
      return MimeUtility.fold(name.length() + 2, MimeUtility.encodeText(value, UTF8, null));
    } catch (UnsupportedEncodingException e) {
      throw new MessagingException("UTF-8 missing", e);
    }
  }
}
