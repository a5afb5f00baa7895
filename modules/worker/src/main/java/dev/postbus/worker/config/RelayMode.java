package dev.postbus.worker.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a job chooses among the relays that serve its pool and are up. */
public enum RelayMode {
  /** The first in the order of {@code relays}; the next ones only while those before are out. */
  FAILOVER,
  /** At random, in proportion to {@code relay.<name>.weight}. */
  WEIGHTED;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static RelayMode fromConfigName(String s) {
    return Arrays.stream(values()).filter(m -> m.configName().equals(s.strip().toLowerCase(Locale.ROOT)))
        .findFirst().orElse(null);
  }

  public static String allowedValues() {
    return Arrays.stream(values()).map(RelayMode::configName).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return configName();
  }
}
