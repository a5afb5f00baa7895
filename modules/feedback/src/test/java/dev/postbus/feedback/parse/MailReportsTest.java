package dev.postbus.feedback.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.feedback.model.BounceClass;
import dev.postbus.feedback.model.Feedback;
import dev.postbus.feedback.model.FeedbackType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MailReportsTest {

  private static final Instant RECEIVED = Instant.parse("2026-12-02T12:00:00Z");

  static byte[] fixture(String name) {
    try (InputStream in = MailReportsTest.class.getResourceAsStream("/mail/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("\r\n", "\n")
          .replace("\n", "\r\n")
          .getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aDsnGivesOneReportPerRecipientFailedOrDelayed() {
    MailReport r = MailReports.parse(fixture("dsn-two-recipients.eml"), null, RECEIVED);

    assertThat(r.provider()).isEqualTo("dsn");
    assertThat(r.reports()).hasSize(2);
    Feedback failed = r.reports().get(0);
    assertThat(failed.type()).isEqualTo(FeedbackType.BOUNCE);
    assertThat(failed.bounceClass()).isEqualTo(BounceClass.PERMANENT);
    assertThat(failed.recipient()).isEqualTo("nobody@example.net");
    assertThat(failed.status()).isEqualTo("5.1.1");
    assertThat(failed.diagnostic())
        .isEqualTo(
            "smtp; 550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown in"
                + " local recipient table");
    assertThat(failed.jobId()).isEqualTo("order-42");
    assertThat(failed.providerEventId()).isEqualTo("<20261202100005.4F2A1C0123@mx.example.net>");
    assertThat(failed.at()).isEqualTo(Instant.parse("2026-12-02T09:59:58Z"));
    assertThat(failed.suppresses()).isTrue();
    assertThat(failed.raw()).contains("Reporting-MTA").doesNotContain("I'm sorry");

    Feedback delayed = r.reports().get(1);
    assertThat(delayed.type()).isEqualTo(FeedbackType.DELAY);
    assertThat(delayed.bounceClass()).isNull();
    assertThat(delayed.recipient()).isEqualTo("full@example.net");
    assertThat(delayed.status()).isEqualTo("4.2.2");
    assertThat(delayed.at()).isEqualTo(Instant.parse("2026-12-02T10:00:01Z"));
    assertThat(delayed.suppresses()).isFalse();
  }

  @Test
  void aFailureWithATransientStatusIsATransientBounce() {
    byte[] dsn =
        new String(fixture("dsn-two-recipients.eml"), StandardCharsets.UTF_8)
            .replace("Action: delayed", "Action: failed")
            .getBytes(StandardCharsets.UTF_8);
    Feedback second = MailReports.parse(dsn, null, RECEIVED).reports().get(1);
    assertThat(second.type()).isEqualTo(FeedbackType.BOUNCE);
    assertThat(second.bounceClass()).isEqualTo(BounceClass.TRANSIENT);
    assertThat(second.suppresses()).isFalse();
  }

  @Test
  void quotedPrintableReportWithoutFinalRecipientUsesTheOriginalRecipient() {
    MailReport r = MailReports.parse(fixture("dsn-quoted-printable.eml"), null, RECEIVED);

    Feedback f = r.reports().get(0);
    assertThat(f.recipient()).isEqualTo("gone@example.org");
    assertThat(f.status()).isEqualTo("5.2.1");
    assertThat(f.diagnostic()).endsWith("tried to reach is disabled");
    assertThat(f.jobId())
        .as("X-Postbus-Job comes before the Message-ID")
        .isEqualTo("news/2026-12.7");
    assertThat(f.at()).as("no date in the report: the receipt time").isEqualTo(RECEIVED);
    assertThat(f.raw()).doesNotContain("schöne");
  }

  @Test
  void theOriginalRecipientComesBeforeTheFinalOneAfterAnAlias() {
    byte[] dsn =
        new String(fixture("dsn-two-recipients.eml"), StandardCharsets.UTF_8)
            .replace(
                "Final-Recipient: rfc822; nobody@example.net",
                "Final-Recipient: rfc822; alias@mailstore.example.net")
            .getBytes(StandardCharsets.UTF_8);
    assertThat(MailReports.parse(dsn, null, RECEIVED).reports().get(0).recipient())
        .isEqualTo("nobody@example.net");
  }

  @Test
  void aRecipientBlockWithNoRecipientAtAllIsKeptWithoutOne() {
    byte[] dsn =
        new String(fixture("dsn-quoted-printable.eml"), StandardCharsets.UTF_8)
            .replace("Original-Recipient: rfc822; gone@example.org\r\n", "")
            .getBytes(StandardCharsets.UTF_8);
    Feedback f = MailReports.parse(dsn, null, RECEIVED).reports().get(0);
    assertThat(f.recipient()).isNull();
    assertThat(f.suppresses()).isFalse();
    assertThat(f.jobId()).isEqualTo("news/2026-12.7");
  }

  @Test
  void theVerifiedVerpJobComesFirst() {
    MailReport r = MailReports.parse(fixture("dsn-two-recipients.eml"), "verp-job", RECEIVED);
    assertThat(r.reports()).allSatisfy(f -> assertThat(f.jobId()).isEqualTo("verp-job"));
  }

  @Test
  void anArfAbuseReportIsAComplaintAboutTheOriginalRecipient() {
    MailReport r = MailReports.parse(fixture("arf-abuse.eml"), null, RECEIVED);

    assertThat(r.provider()).isEqualTo("arf");
    Feedback f = r.reports().get(0);
    assertThat(r.reports()).hasSize(1);
    assertThat(f.type()).isEqualTo(FeedbackType.COMPLAINT);
    assertThat(f.recipient()).isEqualTo("reader@isp.example");
    assertThat(f.jobId()).as("from the Postbus Message-ID").isEqualTo("order/77");
    assertThat(f.diagnostic()).isEqualTo("feedback-type abuse from SomeGenerator/1.0");
    assertThat(f.at()).isEqualTo(Instant.parse("2026-12-03T08:00:00Z"));
    assertThat(f.providerEventId()).isEqualTo("<arf-8c1e@isp.example>");
    assertThat(f.suppresses()).isTrue();
    assertThat(f.raw()).contains("Feedback-Type: abuse").doesNotContain("Thank you");
  }

  @Test
  void anArfReportWithoutOriginalRcptToUsesTheReturnedTo() {
    Feedback f = MailReports.parse(fixture("arf-redacted.eml"), null, RECEIVED).reports().get(0);
    assertThat(f.recipient()).isEqualTo("member@mail.example");
    assertThat(f.jobId()).isEqualTo("order-9");
  }

  @Test
  void notSpamIsNotAComplaint() {
    byte[] arf =
        new String(fixture("arf-abuse.eml"), StandardCharsets.UTF_8)
            .replace("Feedback-Type: abuse", "Feedback-Type: not-spam")
            .getBytes(StandardCharsets.UTF_8);
    assertThat(MailReports.parse(arf, null, RECEIVED).ignored()).isEqualTo("not-a-complaint");
  }

  @Test
  void aMessageThatIsNoReportIsIgnored() {
    MailReport r = MailReports.parse(fixture("not-a-report.eml"), null, RECEIVED);
    assertThat(r.isIgnored()).isTrue();
    assertThat(r.ignored()).isEqualTo("not-a-report");
    assertThat(r.reports()).isEmpty();
  }

  @Test
  void garbageIsIgnoredNotThrown() {
    byte[] junk = "Content-Type: multipart/report; boundary=\r\n\r\n--\r\n".getBytes();
    assertThat(MailReports.parse(junk, null, RECEIVED).isIgnored()).isTrue();
  }
}
