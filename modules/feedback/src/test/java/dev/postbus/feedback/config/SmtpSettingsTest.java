package dev.postbus.feedback.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.job.VerpToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmtpSettingsTest {

  @TempDir Path dir;

  private static FeedbackConfig build(Map<String, String> settings) {
    return FeedbackConfig.fromSettings(Map.of(), "postbus.jobs", settings).build();
  }

  @Test
  void theListenerIsOffUnlessAPortIsSet() {
    assertThat(build(Map.of()).smtp()).isNull();
  }

  @Test
  void aPortAndABounceDomainTurnItOn() {
    SmtpSettings s =
        build(Map.of("feedback.smtp-port", "2525", "feedback.bounce-domain", "Bounces.Example.com"))
            .smtp();
    assertThat(s.port()).isEqualTo(2525);
    assertThat(s.bounceDomain()).isEqualTo("bounces.example.com");
    assertThat(s.maxMessage()).isEqualTo(SmtpSettings.DEFAULT_MAX_MESSAGE);
    assertThat(s.verp()).isFalse();
  }

  @Test
  void aPortWithoutABounceDomainNamesTheMissingKey() {
    assertThatThrownBy(() -> build(Map.of("feedback.smtp-port", "2525")))
        .hasMessage("feedback.bounce-domain: required with feedback.smtp-port");
  }

  @Test
  void aBadDomainNamesTheKey() {
    assertThatThrownBy(
            () -> build(Map.of("feedback.smtp-port", "0", "feedback.bounce-domain", "a b")))
        .hasMessageStartingWith("feedback.bounce-domain: expected a domain name");
  }

  @Test
  void verpNeedsBothTheDomainAndTheKey() throws Exception {
    assertThatThrownBy(
            () ->
                build(
                    Map.of(
                        "feedback.smtp-port", "0",
                        "feedback.bounce-domain", "b.example.com",
                        "feedback.return-path-domain", "rp.example.com")))
        .hasMessage("feedback.verp-key-file: required with feedback.return-path-domain");
    Path key = dir.resolve("verp");
    Files.writeString(key, "short");
    assertThatThrownBy(
            () ->
                build(
                    Map.of(
                        "feedback.smtp-port", "0",
                        "feedback.bounce-domain", "b.example.com",
                        "feedback.return-path-domain", "rp.example.com",
                        "feedback.verp-key-file", key.toString())))
        .hasMessageContaining("feedback.verp-key-file")
        .hasMessageNotContaining("short");
  }

  @Test
  void theKeyIsNeverShown() throws Exception {
    Path key = dir.resolve("verp");
    Files.writeString(key, "a-verp-key-that-is-long-enough-0123456789");
    FeedbackConfig c =
        build(
            Map.of(
                "feedback.smtp-port", "0",
                "feedback.bounce-domain", "b.example.com",
                "feedback.return-path-domain", "rp.example.com",
                "feedback.verp-key-file", key.toString()));
    assertThat(c.smtp().verp()).isTrue();
    assertThat(c.toString()).contains("rp.example.com").doesNotContain("long-enough");
  }

  @Test
  void aTokenMadeWithThePreviousKeyIsValidAfterARotation() throws Exception {
    String oldKey = "the-old-verp-key-that-is-long-enough-0123";
    Files.writeString(dir.resolve("new"), "the-new-verp-key-that-is-long-enough-4567\n");
    Files.writeString(dir.resolve("old"), oldKey + "\n");
    FeedbackConfig c =
        build(
            Map.of(
                "feedback.smtp-port", "0",
                "feedback.bounce-domain", "b.example.com",
                "feedback.return-path-domain", "rp.example.com",
                "feedback.verp-key-file", dir.resolve("new").toString(),
                "feedback.verp-previous-key-file", dir.resolve("old").toString()));
    String before = VerpToken.PREFIX + new VerpToken(oldKey).token("job-7");

    assertThat(c.smtp().verpToken().check(before))
        .isEqualTo(new VerpToken.Check(VerpToken.Status.VALID, "job-7"));
    assertThat(c.toString()).doesNotContain("the-old-verp-key");
  }

  @Test
  void thePreviousKeyNeedsTheCurrentOne() throws Exception {
    Files.writeString(dir.resolve("old"), "the-old-verp-key-that-is-long-enough-0123");
    assertThatThrownBy(
            () ->
                build(
                    Map.of(
                        "feedback.smtp-port", "0",
                        "feedback.bounce-domain", "b.example.com",
                        "feedback.verp-previous-key-file", dir.resolve("old").toString())))
        .hasMessage("feedback.verp-key-file: required with feedback.verp-previous-key-file");
  }
}
