package dev.postbus.worker.config;

import java.time.Duration;
import java.util.Locale;

/**
 * One configuration key, declared once: its name in the file, its environment variable, what it
 * means, its type and default. The configuration reference is generated from these declarations.
 *
 * @param defaultText the default as shown in the reference ({@code null}: no default, not required;
 *     computed defaults are described in words)
 */
public record ConfigKey<T>(
    String name,
    Importance importance,
    ValueType<T> type,
    T defaultValue,
    String defaultText,
    boolean secret,
    String doc) {

  public static final String ENV_PREFIX = "POSTBUS_";

  /** A key whose default is shown as it is (a duration in the reference's grammar). */
  static <T> ConfigKey<T> of(
      String name, Importance importance, ValueType<T> type, T defaultValue, String doc) {
    String shown =
        defaultValue == null
            ? null
            : defaultValue instanceof Duration d ? ValueType.format(d) : defaultValue.toString();
    return new ConfigKey<>(name, importance, type, defaultValue, shown, false, doc);
  }

  /** A key whose default is computed at start-up, described in words. */
  static <T> ConfigKey<T> computed(
      String name, Importance importance, ValueType<T> type, String defaultText, String doc) {
    return new ConfigKey<>(name, importance, type, null, defaultText, false, doc);
  }

  /** {@code smtp.max-connection-age} → {@code POSTBUS_SMTP_MAX_CONNECTION_AGE}. */
  public String env() {
    return envName(name);
  }

  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }
}
