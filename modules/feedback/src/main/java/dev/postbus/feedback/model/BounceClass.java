package dev.postbus.feedback.model;

import java.util.Locale;

/** How final a bounce is: only a permanent one suppresses the address. */
public enum BounceClass {
  PERMANENT,
  TRANSIENT,
  UNDETERMINED;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
