package dev.postbus.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.job.Job;
import dev.postbus.job.MailAddress;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TextBodyTest {

  private static final Session SESSION = Session.getInstance(new Properties());

  @ParameterizedTest
  @CsvSource({
    "'Hello,\nworld.\n', 7bit",
    "'Grüße aus Köln, mit freundlichen Grüßen', quoted-printable",
    "'日本語のメール本文です', base64",
    "'nul\u0000inside', quoted-printable"
  })
  void choosesTheTransferEncodingJakartaMailWould(String text, String expected) {
    assertThat(TextBody.transferEncoding(text.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(ints = {TextBody.MAX_LINE, TextBody.MAX_LINE + 1})
  void aLineLongerThan998BytesIsNotSevenBit(int length) {
    String expected = length > TextBody.MAX_LINE ? "quoted-printable" : "7bit";
    assertThat(
            TextBody.transferEncoding(
                ("x".repeat(length) + "\r\nshort\n").getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(expected);
  }

  static Stream<String> bodies() {
    return Stream.of(
        "plain ASCII\nline two\n.\nA line that is only a dot above\n",
        "Grüße, ça va? Ünïcödé ✓",
        "日本語のメール本文です。よろしくお願いします。",
        "a very long line: " + "0123456789".repeat(120));
  }

  @ParameterizedTest
  @MethodSource("bodies")
  void everyBodySurvivesTheWireUnchanged(String text) throws Exception {
    Job job =
        new Job(
            1,
            "t-1",
            new MailAddress("from@example.com", null),
            null,
            List.of(new MailAddress("to@example.com", null)),
            List.of(),
            List.of(),
            "s",
            text,
            "<p>" + text + "</p>",
            Map.of(),
            List.of(),
            Map.of(),
            null,
            null);
    MimeMessage built = new MessageBuilder(SESSION, Clock.systemUTC()).build(job);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    built.writeTo(wire);

    MimeMessage parsed = new MimeMessage(SESSION, new ByteArrayInputStream(wire.toByteArray()));
    MimeMultipart alternatives = (MimeMultipart) parsed.getContent();
    assertThat(alternatives.getBodyPart(0).getContentType())
        .isEqualToIgnoringCase("text/plain; charset=UTF-8");
    assertThat(alternatives.getBodyPart(0).getContent()).isEqualTo(text);
    assertThat(alternatives.getBodyPart(1).getContentType())
        .isEqualToIgnoringCase("text/html; charset=UTF-8");
    assertThat(alternatives.getBodyPart(1).getContent()).isEqualTo("<p>" + text + "</p>");
  }
}
