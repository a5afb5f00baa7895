package dev.postbus.worker.config;

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

  /** {@code smtp.max-connection-age} → {@code POSTBUS_SMTP_MAX_CONNECTION_AGE}. */
  public String env() {
    return envName(name);
  }

  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }
}
