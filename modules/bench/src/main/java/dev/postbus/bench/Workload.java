package dev.postbus.bench;

import dev.postbus.job.Attachment;
import dev.postbus.job.Job;
import dev.postbus.job.MailAddress;
import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.util.Base64;
import java.util.List;

/**
 * The same message for every scenario: a text body of the chosen size, optionally HTML and a 20 KiB
 * attachment.
 */
record Workload(int messages, int textBytes, boolean rich) {

  static final String FROM = "bench@example.com";
  private static final int ATTACHMENT_BYTES = 20 * 1024;

  String text(int i) {
    StringBuilder sb = new StringBuilder(textBytes + 64).append("Message ").append(i).append('\n');
    while (sb.length() < textBytes) {
      sb.append("The quick brown fox jumps over the lazy dog. 0123456789\n");
    }
    sb.setLength(textBytes);
    return sb.toString();
  }

  String html(int i) {
    return "<html><body><p>" + text(i).replace("\n", "<br>") + "</p></body></html>";
  }

  static String to(int i) {
    return "rcpt" + (i % 1000) + "@example.net";
  }

  private static byte[] attachment() {
    byte[] b = new byte[ATTACHMENT_BYTES];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (i * 31);
    }
    return b;
  }

  Job job(String run, int i) {
    List<Attachment> attachments =
        rich
            ? List.of(
                new Attachment(
                    "report.bin",
                    "application/octet-stream",
                    Base64.getEncoder().encodeToString(attachment()),
                    null))
            : null;
    return new Job(
        Job.SCHEMA,
        run + "-" + i,
        MailAddress.of(FROM),
        null,
        List.of(MailAddress.of(to(i))),
        null,
        null,
        "Benchmark message " + i,
        text(i),
        rich ? html(i) : null,
        null,
        attachments,
        null,
        null,
        null);
  }

  /** The message as a plain Angus user would build it. */
  MimeMessage message(Session session, int i) throws MessagingException {
    MimeMessage m = new MimeMessage(session);
    m.setFrom(FROM);
    m.setRecipients(Message.RecipientType.TO, to(i));
    m.setSubject("Benchmark message " + i, "UTF-8");
    if (!rich) {
      m.setText(text(i), "UTF-8");
    } else {
      MimeMultipart alt = new MimeMultipart("alternative");
      MimeBodyPart t = new MimeBodyPart();
      t.setText(text(i), "UTF-8");
      MimeBodyPart h = new MimeBodyPart();
      h.setText(html(i), "UTF-8", "html");
      alt.addBodyPart(t);
      alt.addBodyPart(h);
      MimeMultipart mixed = new MimeMultipart("mixed");
      MimeBodyPart body = new MimeBodyPart();
      body.setContent(alt);
      mixed.addBodyPart(body);
      MimeBodyPart file = new MimeBodyPart();
      file.setDataHandler(
          new DataHandler(new ByteArrayDataSource(attachment(), "application/octet-stream")));
      file.setFileName("report.bin");
      mixed.addBodyPart(file);
      m.setContent(mixed);
    }
    m.saveChanges();
    return m;
  }
}
