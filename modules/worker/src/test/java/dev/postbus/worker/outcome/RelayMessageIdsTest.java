package dev.postbus.worker.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.smtp.SmtpReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The relay's queue id, read from its 250 reply to the end of the message, or nothing. */
class RelayMessageIdsTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      nullValues = "NONE",
      value = {
        // Postfix (and SendGrid, which says the same)
        "250 2.0.0 Ok: queued as 4FZ2Qx3h9Kz9|4FZ2Qx3h9Kz9",
        "250 Ok: queued as 4FZ2Qx3h9Kz9|4FZ2Qx3h9Kz9",
        // Amazon SES
        "250 Ok 0100018c5a0b9b7f-2f8c1b0e-6c7d-4f0f-9a1b-1c2d3e4f5a6b-000000|"
            + "0100018c5a0b9b7f-2f8c1b0e-6c7d-4f0f-9a1b-1c2d3e4f5a6b-000000",
        // Exim
        "250 OK id=1tQ2x3-000AbC-4d|1tQ2x3-000AbC-4d",
        // Sendmail
        "250 2.0.0 4B6AbCdE012345 Message accepted for delivery|4B6AbCdE012345",
        // nothing that names the message
        "250 Great success|NONE",
        "250 Ok|NONE",
        "250 2.0.0 Ok|NONE",
        "250|NONE",
        "250 2.6.0 Queued mail for delivery|NONE",
        // bounded: too long, or not printable ASCII, is not recorded at all
        "250 Ok: queued as "
            + "A12345678901234567890123456789012345678901234567890123456789012345678901234567890"
            + "12345678901234567890123456789012345678901234567890|NONE",
        "250 Ok: queued as 4FZ2Qx\u00e93h9Kz9|NONE",
        "250 Ok: queued as|NONE",
        "250 Ok \"quoted\"|NONE",
        // matched without lower-casing: U+0130 lower-cases to two chars in Locale.ROOT
        "250 \u0130\u0130 queued as X|X",
        "250 \u0130 queued as ABCD|ABCD",
        "250 \u0130 QUEUED AS ABCD|ABCD",
      })
  void theQueueIdIsReadFromTheAcceptingReply(String reply, String id) {
    assertThat(RelayMessageIds.fromReply(SmtpReply.parse(250, reply))).isEqualTo(id);
  }

  @Test
  void anIdCutByTheReplyTruncationIsNotRecorded() {
    String reply = "250 " + "x".repeat(495) + " queued as ABCDEFGHIJKLMNOP";
    SmtpReply parsed = SmtpReply.parse(250, reply);
    assertThat(parsed.text()).hasSize(SmtpReply.MAX_TEXT).endsWith("queued as ABCDEF");

    assertThat(RelayMessageIds.fromReply(parsed)).isNull();
  }

  @Test
  void anIdThatEndsJustBeforeTheCutIsRecorded() {
    String reply = "250 " + "x".repeat(480) + " queued as ABCDEFGHIJKLMNOP";
    assertThat(RelayMessageIds.fromReply(SmtpReply.parse(250, reply)))
        .isEqualTo("ABCDEFGHIJKLMNOP");
  }
}
