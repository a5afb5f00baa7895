package dev.postbus.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.job.Job;
import dev.postbus.worker.config.Provider;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import java.time.Clock;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ProviderHeaderTest {

  private final MessageBuilder builder =
      new MessageBuilder(Session.getInstance(new Properties()), Clock.systemUTC());

  private MimeMessage message(String id, Map<String, String> headers) throws Exception {
    Job j = Job.text(id, "shop@example.com", "b@example.com", "Hi", "Hello");
    return builder.build(
        new Job(
            j.schema(),
            j.id(),
            j.from(),
            j.replyTo(),
            j.to(),
            j.cc(),
            j.bcc(),
            j.subject(),
            j.text(),
            j.html(),
            headers,
            j.attachments(),
            j.tags(),
            j.notBefore(),
            j.expiresAt()));
  }

  @Test
  void failingOverToAnotherProvidersRelayTakesTheFirstHeaderOff() throws Exception {
    MimeMessage m = message("j-1", Map.of());
    ProviderHeader h = new ProviderHeader(m, "j-1");
    h.setFor(Provider.SES);
    assertThat(m.getHeader("X-SES-MESSAGE-TAGS")).containsExactly("postbus-job=j-1");
    h.setFor(Provider.POSTMARK);
    assertThat(m.getHeader("X-SES-MESSAGE-TAGS")).isNull();
    assertThat(m.getHeader("X-PM-Metadata-postbus-job")).containsExactly("j-1");
    h.setFor(Provider.NONE);
    assertThat(m.getHeader("X-PM-Metadata-postbus-job")).isNull();
    h.setFor(Provider.POSTMARK);
    h.setFor(Provider.POSTMARK); // the same relay again: nothing doubled
    assertThat(m.getHeader("X-PM-Metadata-postbus-job")).containsExactly("j-1");
  }

  @Test
  void aJobsOwnSesTagsKeepTheirsAndAreRestoredOnFailover() throws Exception {
    MimeMessage m = message("j-2", Map.of("X-SES-MESSAGE-TAGS", "campaign=spring"));
    ProviderHeader h = new ProviderHeader(m, "j-2");
    h.setFor(Provider.SES);
    assertThat(m.getHeader("X-SES-MESSAGE-TAGS"))
        .containsExactly("campaign=spring, postbus-job=j-2");
    h.setFor(Provider.MAILGUN);
    assertThat(m.getHeader("X-SES-MESSAGE-TAGS")).containsExactly("campaign=spring");
    assertThat(m.getHeader("X-Mailgun-Variables")).containsExactly("{\"postbus_job\":\"j-2\"}");
  }

  @Test
  void aJobsOwnJsonGetsOurKeyMergedInAndIsRestoredOnFailover() throws Exception {
    MimeMessage m = message("j-3", Map.of("X-SMTPAPI", "{\"category\":[\"receipts\"]}"));
    ProviderHeader h = new ProviderHeader(m, "j-3");
    h.setFor(Provider.SENDGRID);
    assertThat(m.getHeader("X-SMTPAPI"))
        .containsExactly(
            "{\"category\": [\"receipts\"], \"unique_args\": {\"postbus_job\": \"j-3\"}}");
    h.setFor(Provider.NONE);
    assertThat(m.getHeader("X-SMTPAPI")).containsExactly("{\"category\":[\"receipts\"]}");
  }

  @Test
  void aJobCannotAttributeItsBouncesToAnotherJobOnSendGrid() throws Exception {
    MimeMessage m =
        message(
            "j-4",
            Map.of("X-SMTPAPI", "{\"unique_args\":{\"postbus_job\":\"victim\",\"shop\":\"7\"}}"));
    new ProviderHeader(m, "j-4").setFor(Provider.SENDGRID);
    assertThat(m.getHeader("X-SMTPAPI"))
        .containsExactly("{\"unique_args\": {\"postbus_job\": \"j-4\", \"shop\": \"7\"}}");
  }

  @Test
  void aJobCannotAttributeItsBouncesToAnotherJobOnMailgun() throws Exception {
    MimeMessage m =
        message("j-5", Map.of("X-Mailgun-Variables", "{\"postbus_job\":\"victim\",\"a\":1}"));
    new ProviderHeader(m, "j-5").setFor(Provider.MAILGUN);
    assertThat(m.getHeader("X-Mailgun-Variables"))
        .containsExactly("{\"postbus_job\": \"j-5\", \"a\": 1}");
  }

  @Test
  void aJobsOwnHeaderThatIsNotAJsonObjectIsReplacedByOurs() throws Exception {
    MimeMessage m = message("j-6", Map.of("X-Mailgun-Variables", "not json {"));
    new ProviderHeader(m, "j-6").setFor(Provider.MAILGUN);
    assertThat(m.getHeader("X-Mailgun-Variables")).containsExactly("{\"postbus_job\":\"j-6\"}");
  }

  @Test
  void aJobCannotAttributeItsBouncesToAnotherJobOnSes() throws Exception {
    MimeMessage m =
        message("j-7", Map.of("X-SES-MESSAGE-TAGS", "postbus-job=victim, campaign=spring"));
    new ProviderHeader(m, "j-7").setFor(Provider.SES);
    assertThat(m.getHeader("X-SES-MESSAGE-TAGS"))
        .containsExactly("campaign=spring, postbus-job=j-7");
  }

  @Test
  void aJobsOwnPostmarkMetadataIsRemovedEvenWhenItsIdIsTooLongForPostmark() throws Exception {
    String longId = "x".repeat(81);
    MimeMessage m = message(longId, Map.of("X-PM-Metadata-postbus-job", "victim"));
    new ProviderHeader(m, longId).setFor(Provider.POSTMARK);
    assertThat(m.getHeader("X-PM-Metadata-postbus-job")).isNull();
  }

  @Test
  void anIdAProviderCannotCarryGetsNoHeaderThere() throws Exception {
    String id = "order:42/a+b=c.d@e~f";
    MimeMessage m = message(id, Map.of());
    ProviderHeader h = new ProviderHeader(m, id);
    h.setFor(Provider.SES); // tag values: [A-Za-z0-9_-] only
    assertThat(m.getHeader("X-SES-MESSAGE-TAGS")).isNull();
    h.setFor(Provider.SENDGRID); // JSON takes it as it is
    assertThat(m.getHeader("X-SMTPAPI"))
        .containsExactly("{\"unique_args\":{\"postbus_job\":\"" + id + "\"}}");
    String longId = "x".repeat(81);
    MimeMessage l = message(longId, Map.of());
    new ProviderHeader(l, longId).setFor(Provider.POSTMARK); // values up to 80 characters
    assertThat(l.getHeader("X-PM-Metadata-postbus-job")).isNull();
  }

  @Test
  void nothingThatCouldBreakTheJsonOrTheHeaderLineIsEverInserted() {
    for (Provider p : Provider.values()) {
      assertThat(p.value("a\"b")).as(p.name()).isNull();
      assertThat(p.value("a\\b")).as(p.name()).isNull();
      assertThat(p.value("a\r\nBcc: x@y.z")).as(p.name()).isNull();
      assertThat(p.value("a b")).as(p.name()).isNull();
    }
  }

  /** The header section of {@code m} as written: one string per line, folding kept. */
  private static java.util.List<String> headerLines(MimeMessage m) throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    m.writeTo(out);
    byte[] bytes = out.toByteArray();
    int end = 0;
    while (end + 3 < bytes.length
        && !(bytes[end] == '\r'
            && bytes[end + 1] == '\n'
            && bytes[end + 2] == '\r'
            && bytes[end + 3] == '\n')) {
      end++;
    }
    for (int i = 0; i < end; i++) {
      int b = bytes[i] & 0xff;
      boolean lineBreak =
          (b == '\r' && bytes[i + 1] == '\n') || (b == '\n' && i > 0 && bytes[i - 1] == '\r');
      assertThat(b >= 0x20 && b <= 0x7e || b == '\t' || lineBreak)
          .as("header byte %d is 0x%02X", i, b)
          .isTrue();
    }
    String head = new String(bytes, 0, end, java.nio.charset.StandardCharsets.US_ASCII);
    for (String line : head.split("\r\n")) {
      assertThat(line).as("a bare CR or LF").doesNotContain("\r", "\n");
    }
    return java.util.List.of(head.split("\r\n"));
  }

  @Test
  void aJobsJsonEscapesCannotBecomeHeaderLinesOnSendGridOrMailgun() throws Exception {
    // printable ASCII as the job gives it; JSON decodes the escapes to U+010D U+010A, whose low
    // bytes are CR LF
    String own = "{\"a\":\"\\u010d\\u010aReply-To: evil@x.example\\u010d\\u010aX-J: \"}";
    for (Provider p : java.util.List.of(Provider.SENDGRID, Provider.MAILGUN)) {
      MimeMessage m = message("j-8", Map.of(p.header(), own));
      new ProviderHeader(m, "j-8").setFor(p);
      assertThat(headerLines(m))
          .as(p.name())
          .noneMatch(l -> l.startsWith("Reply-To: evil"))
          .noneMatch(l -> l.startsWith("X-J:"))
          .anyMatch(l -> l.startsWith(p.header() + ": {\"a\": \"\\u010D\\u010AReply-To:"));
      assertThat(MimeUtility.unfold(m.getHeader(p.header(), null)))
          .contains("\"postbus_job\": \"j-8\"");
    }
    MimeMessage failover = message("j-8", Map.of("X-SMTPAPI", own, "X-Mailgun-Variables", own));
    ProviderHeader h = new ProviderHeader(failover, "j-8");
    h.setFor(Provider.SENDGRID);
    h.setFor(Provider.MAILGUN);
    assertThat(headerLines(failover)).noneMatch(l -> l.startsWith("Reply-To: evil"));
  }

  /**
   * A job's own JSON that fills its header line, with our key merged in, is still written in lines
   * of at most 998 characters: the merged JSON has a space after each ',' and ':' outside its
   * strings, where the header is folded.
   */
  @Test
  void aJobsJsonThatFillsItsLineIsFoldedWithOurKeyInto998CharacterLines() throws Exception {
    String prefix = "{\"unique_args\":{\"shop\":\"";
    String middle = "\",\"campaign\":\"";
    String end = "\"}}";
    int room = 985 - prefix.length() - middle.length() - end.length();
    String own =
        prefix + "s".repeat(room / 2) + middle + "c".repeat(room - room / 2) + end; // 985 chars
    assertThat(own).hasSize(985);
    String id = "order-" + "7".repeat(150);
    MimeMessage m = message(id, Map.of("X-SMTPAPI", own));
    new ProviderHeader(m, id).setFor(Provider.SENDGRID);
    assertThat(headerLines(m)).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(998));
    String merged = MimeUtility.unfold(m.getHeader("X-SMTPAPI", null));
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(merged))
        .isEqualTo(
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(
                    own.substring(0, own.length() - 2) + ",\"postbus_job\":\"" + id + "\"}}"));
  }

  @Test
  void aJobsJsonKeepsItsNonAsciiTextAsEscapes() throws Exception {
    MimeMessage m = message("j-9", Map.of("X-Mailgun-Variables", "{\"city\":\"M\\u00fcnchen\"}"));
    new ProviderHeader(m, "j-9").setFor(Provider.MAILGUN);
    assertThat(m.getHeader("X-Mailgun-Variables"))
        .containsExactly("{\"city\": \"M\\u00FCnchen\", \"postbus_job\": \"j-9\"}");
  }
}
