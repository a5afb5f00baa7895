package dev.postbus.worker.config;

import java.util.Locale;

/** How a job chooses among the relays that serve its pool and are up. */
public enum RelayMode {
  /** The first in the order of {@code relays}; the next ones only while those before are out. */
  FAILOVER,
  /** At random, in proportion to {@code relay.<name>.weight}. */
  WEIGHTED;

  /** The name in configuration form: {@code weighted}. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
