package dev.postbus.feedback.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.feedback.ProviderPayloads;
import dev.postbus.feedback.model.BounceClass;
import dev.postbus.feedback.model.Feedback;
import dev.postbus.feedback.model.FeedbackType;
import dev.postbus.feedback.model.Refusal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SendGrid, Postmark, Mailgun and the generic format, each from its documented shape. */
class ProviderParsersTest {

  private static final Instant NOW = Instant.parse("2026-12-02T11:00:00Z");

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void sendGridBouncesBlocksAndSpamReportsAreReadAndOpensSkipped() {
    List<Feedback> f =
        SendGridEvents.parse(utf8(ProviderPayloads.sendGridBatch("e", 1764669600)), NOW);

    assertThat(f)
        .extracting(Feedback::type)
        .containsExactly(FeedbackType.BOUNCE, FeedbackType.BOUNCE, FeedbackType.COMPLAINT);
    assertThat(f)
        .extracting(Feedback::bounceClass)
        .containsExactly(BounceClass.PERMANENT, BounceClass.TRANSIENT, null);
    assertThat(f).extracting(Feedback::jobId).containsExactly("job-sg-1", "job-sg-2", "job-sg-3");
    assertThat(f)
        .extracting(Feedback::providerEventId)
        .containsExactly("e-bounce", "e-blocked", "e-spam");
    assertThat(f.get(0).status()).isEqualTo("5.1.1");
    assertThat(f.get(0).at()).isEqualTo(Instant.ofEpochSecond(1764669600));
    assertThat(f.get(0).raw()).contains("Invalid Address").doesNotContain("spamreport");
  }

  @Test
  void sendGridNeedsAnArrayAndEventIds() {
    assertThatThrownBy(() -> SendGridEvents.parse(utf8("{}"), NOW)).isInstanceOf(Refusal.class);
    assertThatThrownBy(() -> SendGridEvents.parse(utf8("[{\"event\":\"bounce\"}]"), NOW))
        .hasMessageContaining("sg_event_id");
  }

  @Test
  void postmarkMapsBounceTypesAndReadsTheJobFromMetadata() {
    Feedback hard =
        PostmarkRecords.parse(
                utf8(
                    ProviderPayloads.postmarkBounce(
                        42, "HardBounce", "gone@example.net", "job-pm")),
                NOW)
            .get(0);
    assertThat(hard.bounceClass()).isEqualTo(BounceClass.PERMANENT);
    assertThat(hard.jobId()).isEqualTo("job-pm");
    assertThat(hard.providerEventId()).isEqualTo("Bounce:42");
    assertThat(hard.diagnostic()).startsWith("smtp;550 5.1.1");
    assertThat(hard.at()).isEqualTo(Instant.parse("2026-12-02T10:00:05Z"));

    assertThat(
            PostmarkRecords.parse(
                    utf8(ProviderPayloads.postmarkBounce(43, "SoftBounce", "a@example.net", "j")),
                    NOW)
                .get(0)
                .bounceClass())
        .isEqualTo(BounceClass.TRANSIENT);
    assertThat(
            PostmarkRecords.parse(
                    utf8(
                        ProviderPayloads.postmarkBounce(44, "AutoResponder", "a@example.net", "j")),
                    NOW)
                .get(0)
                .suppresses())
        .isFalse();

    Feedback spam =
        PostmarkRecords.parse(
                utf8(ProviderPayloads.postmarkComplaint(45, "angry@example.net")), NOW)
            .get(0);
    assertThat(spam.type()).isEqualTo(FeedbackType.COMPLAINT);
    assertThat(spam.jobId()).isNull();
    assertThat(PostmarkRecords.parse(utf8("{\"RecordType\":\"Open\",\"ID\":1}"), NOW)).isEmpty();
  }

  @Test
  void mailgunFailedBySeverityAndComplained() {
    Feedback perm =
        MailgunEvents.parse(
                Json.tree(
                    ProviderPayloads.mailgun("1", "t", "s", "ev-1", "failed", "permanent"), "b"),
                NOW)
            .get(0);
    assertThat(perm.bounceClass()).isEqualTo(BounceClass.PERMANENT);
    assertThat(perm.status()).isEqualTo("5.1.1");
    assertThat(perm.diagnostic()).startsWith("5.1.1 The email account");
    assertThat(perm.jobId()).isEqualTo("job-mg-1"); // Message-ID before user-variables
    assertThat(perm.providerEventId()).isEqualTo("ev-1");

    assertThat(
            MailgunEvents.parse(
                    Json.tree(
                        ProviderPayloads.mailgun("1", "t", "s", "ev-2", "failed", "temporary"),
                        "b"),
                    NOW)
                .get(0)
                .bounceClass())
        .isEqualTo(BounceClass.TRANSIENT);
    assertThat(
            MailgunEvents.parse(
                    Json.tree(
                        ProviderPayloads.mailgun("1", "t", "s", "ev-3", "complained", ""), "b"),
                    NOW)
                .get(0)
                .type())
        .isEqualTo(FeedbackType.COMPLAINT);
    assertThat(
            MailgunEvents.parse(
                Json.tree(ProviderPayloads.mailgun("1", "t", "s", "ev-4", "opened", ""), "b"), NOW))
        .isEmpty();
  }

  @Test
  void genericNamesEveryBadField() {
    Feedback g =
        GenericFeedback.parse(
                utf8(
                    "{\"type\":\"bounce\",\"bounceClass\":\"permanent\",\"recipient\":\"a@example.net\",\"jobId\":\"j-1\"}"),
                NOW)
            .get(0);
    assertThat(g.suppresses()).isTrue();
    assertThat(g.jobId()).isEqualTo("j-1");
    assertThat(g.providerEventId()).isNull();
    assertThatThrownBy(
            () ->
                GenericFeedback.parse(
                    utf8("{\"type\":\"bounce\",\"recipient\":\"a@example.net\"}"), NOW))
        .hasMessageStartingWith("bounceClass");
    assertThatThrownBy(
            () ->
                GenericFeedback.parse(
                    utf8("{\"type\":\"bogus\",\"recipient\":\"a@example.net\"}"), NOW))
        .hasMessageStartingWith("type");
    assertThatThrownBy(
            () ->
                GenericFeedback.parse(utf8("{\"type\":\"complaint\",\"recipient\":\"nope\"}"), NOW))
        .hasMessageStartingWith("recipient");
    assertThatThrownBy(
            () ->
                GenericFeedback.parse(
                    utf8(
                        "{\"type\":\"complaint\",\"recipient\":\"a@example.net\",\"jobId\":\"a b\"}"),
                    NOW))
        .hasMessageStartingWith("jobId");
  }
}
