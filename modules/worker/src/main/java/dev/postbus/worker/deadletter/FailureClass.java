package dev.postbus.worker.deadletter;

import java.util.Locale;

/** Why a job ended in the dead-letter topic. */
public enum FailureClass {
  /** A 4xx reply: the relay may accept it later. */
  TRANSIENT,
  /** A 5xx reply: the relay will not accept it. */
  PERMANENT,
  /** The record is not a valid job: unparseable, schema violation, header injection, oversized. */
  POISON,
  /** Too old or too many attempts. */
  EXPIRED;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
