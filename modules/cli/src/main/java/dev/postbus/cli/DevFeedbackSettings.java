package dev.postbus.cli;

import dev.postbus.feedback.config.FeedbackSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The receiver's {@code feedback.*} keys {@code postbus dev} takes: those of {@code --config} only.
 * The receiver's {@code POSTBUS_FEEDBACK_*} variables are not read (one left in the shell of a
 * receiver must neither stop dev nor change it), and the keys of where the receiver listens are
 * dev's own: it listens on loopback, on {@code --feedback-port}, its SMTP listener on a free port
 * for {@link DevStack#DEV_BOUNCE_DOMAIN}, and writes to the stack's events topic.
 */
final class DevFeedbackSettings {

  /** The keys dev sets itself, and what sets each. */
  private static final Map<String, String> OWN = own();

  private DevFeedbackSettings() {}

  private static Map<String, String> own() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("feedback.host", "postbus dev listens on loopback only (127.0.0.1)");
    m.put("feedback.port", "postbus dev sets it; use --feedback-port");
    m.put("feedback.smtp-port", "postbus dev's bounce listener takes a free port");
    m.put("feedback.bounce-domain", "postbus dev's bounce domain is " + DevStack.DEV_BOUNCE_DOMAIN);
    m.put("feedback.events-topic", "postbus dev writes to its stack's events topic");
    return m;
  }

  /**
   * The {@code feedback.*} keys of {@code file} (null: none), checked by {@link #check}.
   *
   * @param env the process's environment: its {@code POSTBUS_FEEDBACK_*} variables are ignored
   */
  static Map<String, String> load(Path file, Map<String, String> env) {
    return check(FeedbackSettings.load(file, Map.of()));
  }

  /** {@code settings}, unless one of them is a key dev sets itself: refused, naming it. */
  static Map<String, String> check(Map<String, String> settings) {
    for (Map.Entry<String, String> own : OWN.entrySet()) {
      if (settings.containsKey(own.getKey())) {
        throw new IllegalArgumentException(
            own.getKey() + ": not taken by postbus dev (" + own.getValue() + ")");
      }
    }
    return settings;
  }
}
