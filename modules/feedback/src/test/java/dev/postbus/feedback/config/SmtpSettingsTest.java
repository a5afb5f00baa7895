package dev.postbus.feedback.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
