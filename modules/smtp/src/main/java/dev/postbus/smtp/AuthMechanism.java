package dev.postbus.smtp;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the worker authenticates to the relay. */
public enum AuthMechanism {
  /** AUTH PLAIN, or LOGIN where PLAIN is not offered, with a user name and password. */
  PLAIN_LOGIN("plain-login", "PLAIN LOGIN"),
  /** AUTH XOAUTH2 with an OAuth 2.0 bearer token as the password (Gmail, Microsoft 365). */
  XOAUTH2("xoauth2", "XOAUTH2");

  private final String configName;
  private final String mechanisms;

  AuthMechanism(String configName, String mechanisms) {
    this.configName = configName;
    this.mechanisms = mechanisms;
  }

  public String configName() {
    return configName;
  }

  /** The value of Angus Mail's {@code mail.smtp.auth.mechanisms}. */
  public String mechanisms() {
    return mechanisms;
  }

  public static AuthMechanism fromConfigName(String s) {
    return Arrays.stream(values())
        .filter(m -> m.configName.equals(s.strip().toLowerCase(Locale.ROOT)))
        .findFirst()
        .orElse(null);
  }

  public static String allowedValues() {
    return Arrays.stream(values()).map(AuthMechanism::configName).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return configName;
  }
}
