package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.feedback.config.FeedbackKey;
import dev.postbus.feedback.config.FeedbackKeys;
import dev.postbus.feedback.config.FeedbackSettings;
import dev.postbus.worker.config.ConfigKey;
import dev.postbus.worker.config.Keys;
import dev.postbus.worker.config.ReturnPathKeys;
import dev.postbus.worker.config.Settings;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * One environment (or file) for the workers and {@code postbus feedback}: each side skips the
 * other's known keys and still refuses an unknown one.
 */
class SharedSettingsTest {

  private static Set<String> workersFeedbackKeys() {
    return Keys.ALL.stream()
        .map(ConfigKey::name)
        .filter(n -> n.startsWith("feedback."))
        .collect(Collectors.toSet());
  }

  @Test
  void theWorkerKnowsEveryKeyOfTheReceiverItDoesNotReadItself() {
    Set<String> receivers =
        FeedbackKeys.ALL.stream().map(FeedbackKey::name).collect(Collectors.toSet());
    receivers.removeAll(workersFeedbackKeys());
    assertThat(ReturnPathKeys.RECEIVER_ONLY).containsExactlyInAnyOrderElementsOf(receivers);
  }

  @Test
  void theWorkerStartsWithEveryVariableOfTheReceiver() {
    Map<String, String> env = new HashMap<>();
    FeedbackKeys.ALL.forEach(k -> env.put(k.env(), "x"));
    env.remove("POSTBUS_FEEDBACK_RETURN_PATH_DOMAIN"); // the worker's own: read, and checked
    env.remove("POSTBUS_FEEDBACK_VERP_KEY_FILE");
    Settings.load(null, env);
  }

  @Test
  void theReceiverStartsWithEveryVariableOfTheWorker() {
    Map<String, String> env = new HashMap<>();
    Keys.ALL.forEach(k -> env.put(k.env(), "x"));
    Map<String, String> read = FeedbackSettings.load(null, env);
    assertThat(read.keySet()).containsExactlyInAnyOrderElementsOf(workersFeedbackKeys());
  }

  @Test
  void aTypoStillStopsEitherSide() {
    Map<String, String> typo = Map.of("POSTBUS_FEEDBACK_SMTP_PROT", "2525");
    assertThatThrownBy(() -> Settings.load(null, typo)).hasMessageContaining("SMTP_PROT");
    assertThatThrownBy(() -> FeedbackSettings.load(null, typo)).hasMessageContaining("SMTP_PROT");
  }
}
