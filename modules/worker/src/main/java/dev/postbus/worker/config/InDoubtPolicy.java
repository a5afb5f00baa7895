package dev.postbus.worker.config;

import java.util.Locale;

/** What to do with a message whose acceptance is unknown (connection lost after the final '.'). */
public enum InDoubtPolicy {
  /** Send it again through the retry ladder, risking a duplicate (at-least-once). */
  RETRY,
  /** Dead-letter it, for an operator to decide (at-most-once). */
  DEAD_LETTER;

  /** The name in configuration form: {@code dead-letter}. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
