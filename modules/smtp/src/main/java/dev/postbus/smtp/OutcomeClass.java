package dev.postbus.smtp;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The classes of the failure taxonomy; each has one action. */
public enum OutcomeClass {
  /** 2xx: done. */
  DELIVERED,
  /** 4xx, timeouts, lost connections: try again later (the retry ladder). */
  TRANSIENT,
  /** 5xx: dead letter at once. */
  PERMANENT,
  /** Not a valid job: dead letter at once, raw bytes kept. */
  POISON,
  /** Too late or too many attempts: dead letter. */
  EXPIRED,
  /** Every recipient is on the suppression list: dead letter, nothing sent. */
  SUPPRESSED,
  /**
   * The job id was finished before, within the dedupe window, with other content (the producer
   * reused an id): dead letter, nothing sent.
   */
  CONFLICT,
  /**
   * The relay refuses us, not the message (authentication, TLS, unreachable): pause, do not charge
   * the job.
   */
  FATAL;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static OutcomeClass fromLabel(String label) {
    return Arrays.stream(values())
        .filter(c -> c.label().equals(label.strip().toLowerCase(Locale.ROOT)))
        .findFirst()
        .orElse(null);
  }

  public static String labels() {
    return Arrays.stream(values()).map(OutcomeClass::label).collect(Collectors.joining(", "));
  }
}
