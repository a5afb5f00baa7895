package dev.postbus.feedback.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.feedback.SnsMessages;
import dev.postbus.feedback.model.BounceClass;
import dev.postbus.feedback.model.Feedback;
import dev.postbus.feedback.model.FeedbackType;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SesNotificationsTest {

  private static final Instant NOW = Instant.parse("2026-12-02T11:00:00Z");

  @Test
  void aPermanentBounceNamesItsRecipientStatusAndTheJobOfItsHeader() {
    List<Feedback> f =
        SesNotifications.parse(
            SnsMessages.sesBounce("Permanent", "gone@example.net", "job-7", "<job-7@example.com>"),
            "sns-1",
            NOW);

    assertThat(f).hasSize(1);
    Feedback b = f.get(0);
    assertThat(b.type()).isEqualTo(FeedbackType.BOUNCE);
    assertThat(b.bounceClass()).isEqualTo(BounceClass.PERMANENT);
    assertThat(b.recipient()).isEqualTo("gone@example.net");
    assertThat(b.status()).isEqualTo("5.1.1");
    assertThat(b.diagnostic()).isEqualTo("smtp; 550 5.1.1 user unknown");
    assertThat(b.jobId()).isEqualTo("job-7");
    assertThat(b.relayMessageId()).startsWith("0102018c5a0b9b7f");
    assertThat(b.providerEventId()).isEqualTo("sns-1");
    assertThat(b.at()).isEqualTo(Instant.parse("2026-12-02T10:00:05Z"));
    assertThat(b.suppresses()).isTrue();
  }

  @Test
  void transientAndUndeterminedBouncesDoNotSuppress() {
    assertThat(
            SesNotifications.parse(
                    SnsMessages.sesBounce("Transient", "a@example.net", "j", "<j@x.example>"),
                    "s",
                    NOW)
                .get(0)
                .suppresses())
        .isFalse();
    Feedback u =
        SesNotifications.parse(
                SnsMessages.sesBounce("Undetermined", "a@example.net", "j", "<j@x.example>"),
                "s",
                NOW)
            .get(0);
    assertThat(u.bounceClass()).isEqualTo(BounceClass.UNDETERMINED);
    assertThat(u.suppresses()).isFalse();
  }

  @Test
  void aComplaintWithoutHeadersIsCorrelatedByTheCommonHeadersMessageId() {
    Feedback c =
        SesNotifications.parse(
                SnsMessages.sesComplaint("r@example.net", "<order=2E9@shop.example>"), "s", NOW)
            .get(0);
    assertThat(c.type()).isEqualTo(FeedbackType.COMPLAINT);
    assertThat(c.diagnostic()).isEqualTo("abuse");
    assertThat(c.jobId()).isEqualTo("order.9");
    assertThat(c.suppresses()).isTrue();
  }

  @Test
  void anUncorrelatedComplaintIsStillKeptAndKeyedByRecipient() {
    Feedback c =
        SesNotifications.parse(
                SnsMessages.sesComplaint("r@example.net", "<14c5d75ce93.dfd@other.example>"),
                "s",
                NOW)
            .get(0);
    assertThat(c.jobId()).isNull();
    assertThat(c.key()).isEqualTo("r@example.net");
    assertThat(c.suppresses()).isTrue();
  }

  @Test
  void otherNotificationTypesGiveNothingAndGarbageIsRefused() {
    assertThat(SesNotifications.parse("{\"eventType\":\"Open\",\"mail\":{}}", "s", NOW)).isEmpty();
    assertThatThrownBy(() -> SesNotifications.parse("{\"x\":1}", "s", NOW))
        .hasMessageContaining("notificationType");
    assertThatThrownBy(() -> SesNotifications.parse("not json", "s", NOW))
        .hasMessageContaining("Message");
  }
}
