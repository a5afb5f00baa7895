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
}
