package dev.postbus.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.job.Attachment;
import dev.postbus.job.Job;
import dev.postbus.job.MailAddress;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class MessageBuilderTest {

  private final MessageBuilder builder =
      new MessageBuilder(
          Session.getInstance(new Properties()),
          Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC));

  private static String source(MimeMessage m) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    m.writeTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void messageIdIsDerivedFromTheJobIdAndStable() throws Exception {
    Job job = Job.text("order:42", "shop@example.com", "b@example.com", "Hi", "Hello");
    assertThat(builder.build(job).getMessageID()).isEqualTo("<order=3A42@example.com>");
    assertThat(builder.build(job).getMessageID()).isEqualTo(builder.build(job).getMessageID());
    assertThat(MessageIds.forJob("j-1", "example.com")).isEqualTo("<j-1@example.com>");
    assertThat(MessageIds.forJob("a.b", "x.org")).isNotEqualTo(MessageIds.forJob("a=2Eb", "x.org"));
  }

  @Test
  void aJobsOwnXPostbusJobIsAcceptedAndReplacedByItsId() throws Exception {
    Job job =
        new dev.postbus.job.JobCodec()
            .read(
                ("{\"schema\":1,\"id\":\"j-1\",\"from\":\"a@example.com\",\"to\":[\"b@example.com\"],"
                        + "\"subject\":\"Hi\",\"text\":\"Hello\","
                        + "\"headers\":{\"x-postbus-job\":\"someone-else\"}}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    MimeMessage m = builder.build(job);
    assertThat(m.getHeader("X-Postbus-Job")).containsExactly("j-1");
    assertThat(source(m)).doesNotContain("someone-else");
  }

  @Test
  void everyMessageCarriesItsJobIdOnceInXPostbusJob() throws Exception {
    Job job = Job.text("order:42/a+b", "shop@example.com", "b@example.com", "Hi", "Hello");
    MimeMessage m = builder.build(job);
    assertThat(m.getHeader("X-Postbus-Job")).containsExactly("order:42/a+b");
    assertThat(source(m)).containsOnlyOnce("X-Postbus-Job: order:42/a+b\r\n");
  }

  @Test
  void bccIsInTheEnvelopeOnly() throws Exception {
    Job job =
        new Job(
            1,
            "j",
            MailAddress.of("a@example.com"),
            null,
            List.of(MailAddress.of("to@example.com")),
            List.of(MailAddress.of("cc@example.com")),
            List.of(MailAddress.of("hidden@example.com")),
            "s",
            "t",
            null,
            null,
            null,
            null,
            null,
            null);
    String src = source(builder.build(job));
    assertThat(src)
        .contains("To: to@example.com")
        .contains("Cc: cc@example.com")
        .doesNotContain("hidden");
    assertThat(MessageBuilder.envelope(job))
        .extracting(Object::toString)
        .containsExactly("to@example.com", "cc@example.com", "hidden@example.com");
  }

  @Test
  void textAndHtmlBecomeAlternativesAndAttachmentsAreMixedIn() throws Exception {
    Job job =
        new Job(
            1,
            "j",
            new MailAddress("a@example.com", "Ålice"),
            null,
            List.of(MailAddress.of("b@example.com")),
            null,
            null,
            "Grüße",
            "plain",
            "<p>html <img src=cid:logo></p>",
            Map.of("X-Campaign", "spring ☀"),
            List.of(
                new Attachment("report.pdf", "application/pdf", "JVBERi0=", null),
                new Attachment("logo.png", "image/png", "iVBORw0KGgo=", "logo")),
            null,
            null,
            null);
    MimeMessage m = builder.build(job);
    assertThat(m.getContentType()).startsWith("multipart/mixed");
    MimeMultipart mixed = (MimeMultipart) m.getContent();
    assertThat(mixed.getCount()).isEqualTo(2);
    assertThat(mixed.getBodyPart(0).getContentType()).startsWith("multipart/related");
    assertThat(mixed.getBodyPart(1).getFileName()).isEqualTo("report.pdf");
    assertThat(m.getSubject()).isEqualTo("Grüße");
    assertThat(m.getHeader("X-Campaign", null)).startsWith("=?UTF-8?");
    String src = source(m);
    assertThat(src).contains("multipart/alternative").contains("Content-ID: <logo>");
  }

  @Test
  void htmlOnlyJobIsAnHtmlMessage() throws Exception {
    Job job =
        new Job(
            1,
            "j",
            MailAddress.of("a@example.com"),
            null,
            List.of(MailAddress.of("b@example.com")),
            null,
            null,
            "s",
            null,
            "<b>hi</b>",
            null,
            null,
            null,
            null,
            null);
    assertThat(builder.build(job).getContentType()).startsWith("text/html");
  }

  @Test
  void everyLineOfAMessageWithTheLongestContentIdAJobMayHaveFitsIn998() throws Exception {
    dev.postbus.job.JobCodec codec = new dev.postbus.job.JobCodec();
    for (int length : List.of(984, 985, 998)) {
      byte[] payload =
          ("{\"schema\":1,\"id\":\"j\",\"from\":\"a@example.com\",\"to\":[\"b@example.com\"],"
                  + "\"subject\":\"s\",\"text\":\"t\",\"attachments\":[{\"filename\":\"a\","
                  + "\"content\":\"SGVsbG8=\",\"contentId\":\""
                  + "c".repeat(length)
                  + "\"}]}")
              .getBytes(StandardCharsets.UTF_8);
      Job job;
      try {
        job = codec.parse(payload);
        codec.validator().validate(job); // a job made or published: 984 at most
      } catch (dev.postbus.job.InvalidJobException e) {
        continue; // refused: never built
      }
      for (String line : source(builder.build(job)).split("\r\n")) {
        assertThat(line.length())
            .as("a line of the message of a %d-character id", length)
            .isLessThanOrEqualTo(998);
      }
    }
  }

  @Test
  void noJobTextDecodesToALineBreakInAnyHeader() throws Exception {
    // JSON escapes the job may use anywhere: U+010D U+010A, whose low bytes are CR LF
    String crlf = "\\u010d\\u010a";
    byte[] payload =
        ("{\"schema\":1,\"id\":\"j\",\"from\":{\"address\":\"a@example.com\",\"name\":\"A"
                + crlf
                + "Bcc: x@example.org\"},\"to\":[\"b@example.com\"],\"subject\":\"s"
                + crlf
                + "Reply-To: evil@example.org\",\"text\":\"t\",\"headers\":{\"X-Campaign\":\"c"
                + crlf
                + "X-Evil: 1\"},\"attachments\":[{\"filename\":\"f"
                + crlf
                + "X-Evil: 2.pdf\",\"content\":\"SGVsbG8=\"}]}")
            .getBytes(StandardCharsets.UTF_8);
    Job job = new dev.postbus.job.JobCodec().read(payload);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    builder.build(job).writeTo(out);
    byte[] bytes = out.toByteArray();
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xff;
      boolean crlfPair =
          (b == '\r' && i + 1 < bytes.length && bytes[i + 1] == '\n')
              || (b == '\n' && i > 0 && bytes[i - 1] == '\r');
      assertThat(b >= 0x20 && b <= 0x7e || b == '\t' || crlfPair)
          .as("byte %d is 0x%02X", i, b)
          .isTrue();
    }
    assertThat(out.toString(StandardCharsets.US_ASCII).split("\r\n"))
        .noneMatch(l -> l.startsWith("Reply-To:") || l.startsWith("Bcc:"))
        .noneMatch(l -> l.startsWith("X-Evil:"));
  }
}
