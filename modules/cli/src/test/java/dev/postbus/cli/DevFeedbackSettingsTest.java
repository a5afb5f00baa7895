package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The receiver's keys postbus dev takes: --config's, never where it listens. */
class DevFeedbackSettingsTest {

  @TempDir Path dir;

  @Test
  void aHostBeyondLoopbackIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> DevFeedbackSettings.check(Map.of("feedback.host", "0.0.0.0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("feedback.host")
        .hasMessageContaining("loopback");
  }

  @Test
  void thePortsDevSetsItselfAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> DevFeedbackSettings.check(Map.of("feedback.port", "9999")))
        .hasMessageContaining("feedback.port")
        .hasMessageContaining("--feedback-port");
  }

  @Test
  void takesTheKeysOfTheFileOnlyNotTheReceiversEnvironment() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("dev.properties"),
            "feedback.ses.topic-arns=arn:aws:sns:eu-west-1:123456789012:t\nsmtp.port=25\n");

    Map<String, String> read =
        DevFeedbackSettings.load(
            file, Map.of("POSTBUS_FEEDBACK_X", "stale", "POSTBUS_FEEDBACK_HOST", "0.0.0.0"));

    assertThat(read)
        .containsExactly(
            Map.entry("feedback.ses.topic-arns", "arn:aws:sns:eu-west-1:123456789012:t"));
  }
}
