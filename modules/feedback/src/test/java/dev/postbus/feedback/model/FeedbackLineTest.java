package dev.postbus.feedback.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FeedbackLineTest {

  @Test
  void aLineShowsTheRecipientsDomainOnly() {
    Feedback f =
        new Feedback(
            FeedbackType.BOUNCE,
            BounceClass.PERMANENT,
            "Secret.Person@Example.NET",
            "5.1.1",
            "550 5.1.1 <Secret.Person@Example.NET> unknown",
            "order-42",
            null,
            "dsn",
            "ev-1",
            Instant.parse("2026-12-02T10:00:05.123Z"),
            "raw with Secret.Person@Example.NET");
    String line = FeedbackLine.format(FeedbackCodec.value(f, Instant.now()));

    assertThat(line)
        .startsWith("2026-12-02T10:00:05Z")
        .contains("dsn", "bounce", "permanent", "order-42", "example.net")
        .doesNotContainIgnoringCase("secret.person");
  }

  @Test
  void missingFieldsShowAsDashes() {
    Feedback f =
        new Feedback(
            FeedbackType.COMPLAINT,
            null,
            null,
            null,
            null,
            null,
            null,
            "arf",
            null,
            Instant.parse("2026-12-03T08:00:00Z"),
            null);
    assertThat(FeedbackLine.format(FeedbackCodec.value(f, Instant.now())).split("\\s+"))
        .containsExactly("2026-12-03T08:00:00Z", "arf", "complaint", "-", "-", "-");
  }

  @Test
  void somethingElseOnTheTopicIsNamedNotShown() {
    assertThat(FeedbackLine.format("not json nobody@example.com".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("(a record that is not a feedback record)");
  }

  @Test
  void theHeaderNamesTheColumns() {
    assertThat(FeedbackLine.HEADER.split("\\s+"))
        .containsExactly("TIME", "PROVIDER", "TYPE", "CLASS", "JOB", "DOMAIN");
  }
}
