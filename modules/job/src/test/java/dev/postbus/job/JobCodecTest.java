package dev.postbus.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobCodecTest {

  private final JobCodec codec = new JobCodec();

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private InvalidJobException refusal(byte[] payload) {
    return catchThrowableOfType(InvalidJobException.class, () -> codec.read(payload));
  }

  @Test
  void minimalJobFromTheIssueIsValid() throws Exception {
    Job job =
        codec.read(
            utf8(
                "{\"schema\":1,\"id\":\"j-1\",\"from\":\"a@example.com\",\"to\":[\"b@example.com\"],\"subject\":\"Hi\",\"text\":\"Hello\"}"));
    assertThat(job.id()).isEqualTo("j-1");
    assertThat(job.from()).isEqualTo(MailAddress.of("a@example.com"));
    assertThat(job.to()).containsExactly(MailAddress.of("b@example.com"));
  }

  @Test
  void stringAndObjectAddressesDecodeToTheSameMailbox() throws Exception {
    Job job =
        codec.read(
            utf8(
                "{\"schema\":1,\"id\":\"j\",\"from\":\"Alice <a@example.com>\",\"to\":["
                    + "\"\\\"Bob, Jr.\\\" <b@example.com>\",{\"address\":\"c@example.com\",\"name\":\"Carol\"}],"
                    + "\"subject\":\"s\",\"text\":\"t\"}"));
    assertThat(job.from()).isEqualTo(new MailAddress("a@example.com", "Alice"));
    assertThat(job.to())
        .containsExactly(
            new MailAddress("b@example.com", "Bob, Jr."),
            new MailAddress("c@example.com", "Carol"));
  }

  @Test
  void encodeThenReadGivesTheSameJob() throws Exception {
    Job job =
        new Job(
            1,
            "j-9",
            new MailAddress("a@example.com", "Alice"),
            MailAddress.of("r@example.com"),
            List.of(MailAddress.of("b@example.com")),
            List.of(MailAddress.of("c@example.com")),
            List.of(MailAddress.of("d@example.com")),
            "Grüße",
            "text",
            "<p>html</p>",
            Map.of("X-Campaign", "x"),
            List.of(new Attachment("a.txt", "text/plain", "SGVsbG8=", null)),
            Map.of("tenant", "acme"),
            Instant.parse("2026-01-01T00:00:00Z"),
            Instant.parse("2026-01-02T00:00:00Z"));
    assertThat(codec.read(codec.encode(job))).isEqualTo(job);
  }

  @Test
  void aJobWithUnsubscribeIsWrittenAsSchema2AndOneWithoutStaysSchema1() throws Exception {
    Job plain = Job.text("j-1", "a@example.com", "b@example.com", "Hi", "Hello");
    Job bulk = plain.withUnsubscribe(new Unsubscribe("news"));
    assertThat(new String(codec.encode(bulk), StandardCharsets.UTF_8)).contains("\"schema\":2");
    assertThat(new String(codec.encode(plain), StandardCharsets.UTF_8)).contains("\"schema\":1,");
    assertThat(new String(codec.encode(bulk.withUnsubscribe(null)), StandardCharsets.UTF_8))
        .contains("\"schema\":1,");
    assertThat(codec.read(codec.encode(bulk))).isEqualTo(bulk);
  }

  @Test
  void schema1WithUnsubscribeIsRefusedNamingTheSchema() {
    String job =
        "{\"schema\":1,\"id\":\"j-1\",\"from\":\"a@example.com\",\"to\":[\"b@example.com\"],"
            + "\"subject\":\"Hi\",\"text\":\"Hello\",\"unsubscribe\":{\"list\":\"news\"}}";
    InvalidJobException e = refusal(utf8(job));
    assertThat(e.field()).isEqualTo("schema");
    assertThat(e.getMessage()).contains("unsubscribe", "2");
  }

  @Test
  void schema2WithoutUnsubscribeIsRead() throws Exception {
    String job =
        "{\"schema\":2,\"id\":\"j-1\",\"from\":\"a@example.com\",\"to\":[\"b@example.com\"],"
            + "\"subject\":\"Hi\",\"text\":\"Hello\"}";
    assertThat(codec.read(utf8(job)).schema()).isEqualTo(2);
    assertThat(refusal(utf8(job.replace("\"schema\":2", "\"schema\":3"))).field())
        .isEqualTo("schema");
  }

  @Test
  void payloadLevelProblemsNameThePayload() {
    assertThat(refusal(new byte[0]).field()).isEqualTo("(payload)");
    assertThat(refusal(utf8("{not json")).getMessage()).startsWith("(payload): not valid JSON");
    assertThat(refusal(utf8("[1,2]")).getMessage())
        .isEqualTo("(payload): expected a JSON object, got an array");
    assertThat(refusal(new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}).getMessage())
        .isEqualTo("(payload): not valid UTF-8");
    assertThat(refusal(utf8("{\"schema\":1} {\"schema\":1}")).getMessage())
        .contains("more than one JSON value");
  }

  @Test
  void duplicateKeysAreRefusedBecauseTheWinnerWouldBeAmbiguous() {
    assertThat(
            refusal(utf8("{\"schema\":1,\"to\":[\"a@example.com\"],\"to\":[\"b@example.com\"]}"))
                .getMessage())
        .matches("\\(payload\\): not valid JSON at line 1, column \\d+: a key given twice");
  }

  @Test
  void deepNestingIsRefusedBeforeItCostsMemory() {
    String deep = "{\"schema\":1,\"x\":" + "[".repeat(500) + "]".repeat(500) + "}";
    assertThat(refusal(utf8(deep)).field()).isEqualTo("(payload)");
  }

  @Test
  void oversizedPayloadIsRefusedBeforeParsing() {
    JobCodec small = new JobCodec(new JobLimits(2048, 1024, 10));
    byte[] big = new byte[4096];
    java.util.Arrays.fill(big, (byte) ' ');
    InvalidJobException e = catchThrowableOfType(InvalidJobException.class, () -> small.read(big));
    assertThat(e.getMessage()).isEqualTo("(payload): 4096 bytes; the limit is 2048");
  }

  @Test
  void attachmentOverTheDecodedLimitIsRefused() {
    JobCodec small = new JobCodec(new JobLimits(4096, 3, 10));
    InvalidJobException e =
        catchThrowableOfType(
            InvalidJobException.class,
            () ->
                small.read(
                    utf8(
                        "{\"schema\":1,\"id\":\"j\",\"from\":\"a@example.com\",\"to\":[\"b@example.com\"],\"subject\":\"s\","
                            + "\"text\":\"t\",\"attachments\":[{\"filename\":\"a\",\"content\":\"SGVsbG8=\"}]}")));
    assertThat(e.getMessage()).isEqualTo("attachments[0].content: larger than 3 bytes decoded");
  }

  @Test
  void tooManyRecipientsAreRefused() {
    JobCodec small = new JobCodec(new JobLimits(4096, 1024, 2));
    InvalidJobException e =
        catchThrowableOfType(
            InvalidJobException.class,
            () ->
                small.read(
                    utf8(
                        "{\"schema\":1,\"id\":\"j\",\"from\":\"a@example.com\",\"to\":[\"b@example.com\",\"c@example.com\"],"
                            + "\"cc\":[\"d@example.com\"],\"subject\":\"s\",\"text\":\"t\"}")));
    assertThat(e.getMessage()).isEqualTo("to: 3 recipients in to, cc and bcc; the limit is 2");
  }

  @Test
  void expiryMustComeAfterTheScheduledTime() {
    InvalidJobException e =
        refusal(
            utf8(
                "{\"schema\":1,\"id\":\"j\",\"from\":\"a@example.com\","
                    + "\"to\":[\"b@example.com\"],\"subject\":\"s\",\"text\":\"t\","
                    + "\"notBefore\":\"2026-01-02T00:00:00Z\",\"expiresAt\":\"2026-01-01T00:00:00Z\"}"));
    assertThat(e.getMessage()).isEqualTo("expiresAt: must be after notBefore");
  }

  @Test
  void errorMessagesNeverContainTheAddress() {
    InvalidJobException e =
        refusal(
            utf8(
                "{\"schema\":1,\"id\":\"j\",\"from\":\"a@example.com\","
                    + "\"to\":[\"secret-person@@example.com\"],\"subject\":\"s\",\"text\":\"t\"}"));
    assertThat(e.getMessage()).startsWith("to[0]:").doesNotContain("secret-person");
  }

  private static byte[] withAttachment(String attachment) {
    return utf8(
        "{\"schema\":1,\"id\":\"j\",\"from\":\"a@example.com\",\"to\":[\"b@example.com\"],"
            + "\"subject\":\"s\",\"text\":\"t\",\"attachments\":["
            + attachment
            + "]}");
  }

  @Test
  void aContentIdOutsidePrintableAsciiIsRefusedBecauseItsLowByteCouldEndTheHeader() {
    // U+010A is written by Angus as its low byte, 0x0A: a line feed inside the part's headers
    for (String id : List.of("logo\\u010aX-Evil: 1", "\\u010a", "l\\u00f6go", "a\\tb", "<logo>")) {
      InvalidJobException e =
          refusal(
              withAttachment(
                  "{\"filename\":\"a\",\"content\":\"SGVsbG8=\",\"contentId\":\"" + id + "\"}"));
      assertThat(e).as(id).isNotNull();
      assertThat(e.field()).isEqualTo("attachments[0].contentId");
      assertThat(e.problem()).contains("printable ASCII");
    }
  }

  private static byte[] withContentId(String id) {
    return withAttachment(
        "{\"filename\":\"a\",\"content\":\"SGVsbG8=\",\"contentId\":\"" + id + "\"}");
  }

  @Test
  void aNewJobsContentIdLongerThanItsHeaderLineHoldsIsRefused() throws Exception {
    // "Content-ID: <" + id + ">" fills the 998 characters of a header line at 984
    String fits = "a".repeat(984);
    codec.validator().validate(codec.parse(withContentId(fits)));
    Job longer = codec.parse(withContentId(fits + "b"));
    InvalidJobException e =
        catchThrowableOfType(InvalidJobException.class, () -> codec.validator().validate(longer));
    assertThat(e).isNotNull();
    assertThat(e.field()).isEqualTo("attachments[0].contentId");
    assertThat(e.problem()).contains("1 to 984 characters");
  }

  /**
   * A job queued before the 984 limit, with a content id of up to 998 characters (valid then), is
   * still read: the worker sends it as it did, and its replay is not refused again.
   */
  @Test
  void aQueuedJobsContentIdOfUpTo998CharactersIsStillRead() throws Exception {
    Job job = codec.read(withContentId("a".repeat(990)));
    assertThat(job.attachments().get(0).contentId()).hasSize(990);
    assertThat(codec.read(withContentId("a".repeat(998))).attachments().get(0).contentId())
        .hasSize(998);
    InvalidJobException e = refusal(withContentId("a".repeat(999)));
    assertThat(e).isNotNull();
    assertThat(e.field()).isEqualTo("attachments[0].contentId");
    assertThat(e.problem()).contains("1 to 998 characters");
  }

  @Test
  void aContentIdWithASpaceDecodesAsJobsQueuedBeforeTheUpgradeDo() throws Exception {
    Job job =
        codec.read(
            withAttachment(
                "{\"filename\":\"a\",\"content\":\"SGVsbG8=\",\"contentId\":\"logo 1\"}"));
    assertThat(job.attachments().get(0).contentId()).isEqualTo("logo 1");
  }

  @Test
  void aContentIdShapedLikeAMessageIdIsAccepted() throws Exception {
    Job job =
        codec.read(
            withAttachment(
                "{\"filename\":\"a\",\"content\":\"SGVsbG8=\",\"contentId\":\"logo.1@example.com\"}"));
    assertThat(job.attachments().get(0).contentId()).isEqualTo("logo.1@example.com");
  }

  @Test
  void aJsonErrorNamesItsPositionAndKindWithoutQuotingThePayload() {
    InvalidJobException e = refusal(utf8("{\"schema\":1,\"text\":Secretword}"));
    assertThat(e.field()).isEqualTo("(payload)");
    assertThat(e.getMessage())
        .doesNotContain("Secretword", "ecretword")
        .matches("\\(payload\\): not valid JSON at line 1, column \\d+: an unrecognized token");
  }

  @Test
  void noJsonErrorQuotesThePayloadOrCarriesALineBreak() {
    List<String> payloads =
        List.of(
            "{\"schema\":1,\"text\":\"Secret\nword\"}",
            "{\"schema\":1,\"text\":\"Secret\\qword\"}",
            "{\"schema\":1,\"text\":\"Secretword",
            "{\"schema\":1,\"text\":Secret\r\nword}",
            "{\"schema\":1,Secretword:1}",
            "{\"schema\":1,\"tags\":{\"Secretword\":\"a\",\"Secretword\":\"b\"}}",
            "{\"schema\":01234567}",
            "{\"schema\":1 Secretword}");
    for (String p : payloads) {
      InvalidJobException e = refusal(utf8(p));
      assertThat(e).as(p).isNotNull();
      assertThat(e.getMessage())
          .as(p)
          .startsWith("(payload): not valid JSON at line ")
          .doesNotContain("Secret", "word", "\r", "\n");
    }
  }

  @Test
  void aWhitespaceOnlyPayloadIsRefusedNamingThePayload() {
    for (String p : List.of(" ", "\n", " \r\n\t ")) {
      InvalidJobException e = refusal(utf8(p));
      assertThat(e).as("payload %s", p.length()).isNotNull();
      assertThat(e.getMessage()).isEqualTo("(payload): no JSON value (only whitespace)");
    }
  }

  private static byte[] withTags(String tags) {
    return utf8(
        "{\"schema\":1,\"id\":\"j\",\"from\":\"a@example.com\",\"to\":[\"b@example.com\"],"
            + "\"subject\":\"s\",\"text\":\"t\",\"tags\":{"
            + tags
            + "}}");
  }

  @Test
  void anOverlongTagNameIsNamedClipped() {
    InvalidJobException e = refusal(withTags("\"ok\":\"1\",\"" + "k".repeat(129) + "\":\"v\""));
    assertThat(e.field()).isEqualTo("tags." + "k".repeat(40) + "…");
    assertThat(e.problem()).isEqualTo("a tag name must be 1 to 128 characters (this one has 129)");
  }

  @Test
  void aTagFieldNeverCarriesALineBreakOrControlCharacter() {
    String longValue = "v".repeat(1025);
    InvalidJobException overlong = refusal(withTags("\"a\\r\\nb\\u0001c\":\"" + longValue + "\""));
    assertThat(overlong.field()).isEqualTo("tags.a??b?c");
    assertThat(overlong.problem()).isEqualTo("longer than 1024 characters");
    InvalidJobException notString = refusal(withTags("\"a\\u0085\\u2028b\":1"));
    assertThat(notString.field()).isEqualTo("tags.a??b");
    InvalidJobException header =
        refusal(
            utf8(
                "{\"schema\":1,\"id\":\"j\",\"from\":\"a@example.com\",\"to\":[\"b@example.com\"],"
                    + "\"subject\":\"s\",\"text\":\"t\",\"headers\":{\"X\\u2028\\tY\":\"v\"}}"));
    assertThat(header.field()).isEqualTo("headers.X??Y");
  }

  @Test
  void anEmptyTagNameIsRefused() {
    InvalidJobException e = refusal(withTags("\"\":\"v\""));
    assertThat(e.getMessage())
        .isEqualTo("tags: a tag name must be 1 to 128 characters (one is empty)");
  }

  @Test
  void toStringHidesAddressesAndContent() {
    Job job =
        Job.text("j-1", "alice@example.com", "bob@example.com", "secret subject", "secret body");
    assertThat(job.toString()).doesNotContain("alice", "bob", "secret");
    assertThat(job.to().get(0).toString()).isEqualTo("MailAddress[*@example.com]");
  }
}
