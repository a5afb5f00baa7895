package dev.postbus.worker.retry;

import java.time.Duration;

/**
 * The short names of durations: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}.
 * They name the retry tiers' topics ({@code <topic>.retry.5m}) and are how the configuration
 * reference shows every duration.
 */
public final class DurationNames {

  private DurationNames() {}

  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000 == 0 && ms > 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
