package dev.postbus.feedback.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class JobIdsTest {

  @Test
  void readsTheJobIdBackFromPostbusMessageIds() {
    assertThat(JobIds.fromMessageId("<order-42_a@shop.example>", null)).isEqualTo("order-42_a");
    // the worker writes every byte outside [A-Za-z0-9_-] as =XX (MessageIds.forJob)
    assertThat(JobIds.fromMessageId("<order=2E42=3Ab@shop.example>", null)).isEqualTo("order.42:b");
    assertThat(JobIds.fromMessageId(" <a=40b@x.example> ", null)).isEqualTo("a@b");
  }

  @Test
  void otherMessageIdsAreNotTakenForJobs() {
    assertThat(JobIds.fromMessageId("<20130503182626.18666.16540@sandbox.mailgun.org>", null))
        .isNull();
    assertThat(JobIds.fromMessageId("<14c5d75ce93.dfd.64b469@ismtpd-555>", null)).isNull();
    assertThat(JobIds.fromMessageId("<0102018c-abc-000000@eu-west-1.amazonses.com>", null))
        .isNull();
    assertThat(JobIds.fromMessageId("<ses-own-id@example.com>", "ses-own-id")).isNull();
    assertThat(JobIds.fromMessageId("<a=ZZ@x.example>", null)).isNull();
    assertThat(JobIds.fromMessageId("no-at-sign", null)).isNull();
    assertThat(JobIds.fromMessageId(null, null)).isNull();
  }

  @Test
  void metadataIsReadUnderEitherName() {
    assertThat(JobIds.fromMetadata(Map.of("postbus-job", "j-1"))).isEqualTo("j-1");
    assertThat(JobIds.fromMetadata(Map.of("Postbus_Job", "j-2"))).isEqualTo("j-2");
    assertThat(JobIds.fromMetadata(Map.of("postbus-job", "not a job id"))).isNull();
    assertThat(JobIds.fromMetadata(Map.of("other", "j-3"))).isNull();
  }
}
