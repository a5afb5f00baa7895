package dev.postbus.feedback.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeedbackConfigTest {

  private static FeedbackConfig build(Map<String, String> settings) {
    return FeedbackConfig.fromSettings(
            Map.of("bootstrap.servers", "localhost:9092"), "postbus.jobs", settings)
        .build();
  }

  @Test
  void theConfigurationReferenceEndsWithTheReceiversSectionOfEveryKey() throws Exception {
    String section = FeedbackReference.section();
    Path current = Path.of("target/configuration-feedback.md");
    Files.createDirectories(current.getParent());
    Files.writeString(current, section, StandardCharsets.UTF_8);
    String doc = Files.readString(Path.of("../../docs/configuration.md"), StandardCharsets.UTF_8);
    int at = doc.indexOf("\n" + FeedbackReference.HEADING + "\n");
    assertThat(at)
        .as("docs/configuration.md has the section " + FeedbackReference.HEADING)
        .isPositive();
    assertThat(doc.substring(at))
        .as(
            "docs/configuration.md's receiver section is out of date: put"
                + " modules/feedback/target/configuration-feedback.md in its place (to the end)")
        .isEqualTo(section);
    for (FeedbackKey k : FeedbackKeys.ALL) {
      assertThat(section).contains("| `" + k.name() + "` | `" + k.env() + "` |");
    }
  }

  @Test
  void softBounceRecipientsAreCappedByDefaultAndTheCapIsAKey() throws Exception {
    assertThat(build(Map.of()).softBounceMaxRecipients()).isEqualTo(300_000);
    assertThat(
            build(Map.of("feedback.soft-bounce.max-recipients", "5000")).softBounceMaxRecipients())
        .isEqualTo(5_000);
    assertThatThrownBy(() -> build(Map.of("feedback.soft-bounce.max-recipients", "0")))
        .hasMessageStartingWith("feedback.soft-bounce.max-recipients: expected");
  }

  @Test
  void aBadValueStopsStartUpNamingTheKey(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> build(Map.of("feedback.max-age", "forever")))
        .hasMessageStartingWith("feedback.max-age: expected");
    assertThatThrownBy(() -> build(Map.of("feedback.port", "70000")))
        .hasMessageStartingWith("feedback.port: expected 0 to 65535");
    assertThatThrownBy(() -> build(Map.of("feedback.ses.topic-arns", "ses-feedback")))
        .hasMessageStartingWith("feedback.ses.topic-arns: expected arn:aws:sns");
    assertThatThrownBy(() -> build(Map.of("feedback.sendgrid.public-key", "bm90IGEga2V5")))
        .hasMessageStartingWith("feedback.sendgrid.public-key: not a base64 EC public key");
    Path shortPw = dir.resolve("pw");
    Files.writeString(shortPw, "short");
    assertThatThrownBy(() -> build(Map.of("feedback.postmark.password-file", shortPw.toString())))
        .hasMessageStartingWith("feedback.postmark.password-file:")
        .hasMessageNotContaining("short\n");
    assertThatThrownBy(
            () -> build(Map.of("feedback.generic.token-file", dir.resolve("none").toString())))
        .hasMessageStartingWith("feedback.generic.token-file: cannot read");
  }

  @Test
  void unknownKeysAndVariablesAreRefusedAndSecretsNeverShown(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("p.properties");
    Files.writeString(file, "feedback.max-bodyy=1\nsmtp.host=relay\n");
    assertThatThrownBy(() -> FeedbackSettings.load(file, Map.of()))
        .hasMessageStartingWith("feedback.max-bodyy: unknown key");
    assertThatThrownBy(() -> FeedbackSettings.load(null, Map.of("POSTBUS_FEEDBACK_PROT", "1")))
        .hasMessageStartingWith("POSTBUS_FEEDBACK_PROT: unknown variable");

    Path token = dir.resolve("token");
    Files.writeString(token, "s3cret-token-0123456789");
    Map<String, String> s =
        FeedbackSettings.load(
            null, Map.of("POSTBUS_FEEDBACK_GENERIC_TOKEN_FILE", token.toString()));
    FeedbackConfig c = build(s);
    assertThat(c.genericToken()).isEqualTo("s3cret-token-0123456789");
    assertThat(c.toString()).doesNotContain("s3cret");
  }
}
