package dev.postbus.worker.config;

/** How the configuration reference groups keys. */
public enum Importance {
  ESSENTIAL("Essentials"),
  FREQUENT("Frequently used"),
  RARE("Rarely used");

  private final String title;

  Importance(String title) {
    this.title = title;
  }

  public String title() {
    return title;
  }
}
