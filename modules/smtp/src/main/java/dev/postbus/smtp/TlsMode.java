package dev.postbus.smtp;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a connection is protected. */
public enum TlsMode {
  /** Plain text: only for loopback test servers. */
  NONE("none"),
  /** STARTTLS when the server offers it, plain text when it does not (opportunistic). */
  STARTTLS("starttls"),
  /**
   * STARTTLS or no connection: a server that does not offer it is refused (no silent downgrade).
   */
  STARTTLS_REQUIRED("starttls-required"),
  /** TLS from the first byte (SMTPS, usually port 465). */
  IMPLICIT("implicit");

  private final String configName;

  TlsMode(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }

  public static String allowedValues() {
    return Arrays.stream(values()).map(TlsMode::configName).collect(Collectors.joining(", "));
  }

  /** Parses a configuration value; {@code null} when it names no mode. */
  public static TlsMode fromConfigName(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(m -> m.configName.equals(v)).findFirst().orElse(null);
  }

  @Override
  public String toString() {
    return configName;
  }
}
