package dev.postbus.worker.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What to do with a message whose acceptance is unknown (connection lost after the final '.'). */
public enum InDoubtPolicy {
  /** Send it again through the retry ladder, risking a duplicate (at-least-once). */
  RETRY,
  /** Dead-letter it, for an operator to decide (at-most-once). */
  DEAD_LETTER;

  public String configName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static InDoubtPolicy fromConfigName(String s) {
    return Arrays.stream(values()).filter(p -> p.configName().equals(s.strip().toLowerCase(Locale.ROOT)))
        .findFirst().orElse(null);
  }

  public static String allowedValues() {
    return Arrays.stream(values()).map(InDoubtPolicy::configName).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return configName();
  }
}
