package dev.postbus.worker.config;

/**
 * A configuration value that cannot be used. The message is one line naming the key and what is
 * allowed.
 */
public final class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
