package dev.postbus.worker.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a worker writes its send-ledger entries ({@code ledger.format}). Every worker reads both;
 * workers before the binary format read only JSON, so a rolling upgrade from them (or a rollback to
 * them) writes JSON until no such worker is left.
 */
public enum LedgerFormat {
  /** Format 1: compact, versioned (the default). */
  BINARY,
  /** The JSON objects workers before format 1 wrote and read. */
  JSON;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static String allowedValues() {
    return Arrays.stream(values()).map(LedgerFormat::configName).collect(Collectors.joining(", "));
  }

  /** Parses a configuration value; {@code null} when it names no format. */
  public static LedgerFormat fromConfigName(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(f -> f.configName().equals(v)).findFirst().orElse(null);
  }

  @Override
  public String toString() {
    return configName();
  }
}
