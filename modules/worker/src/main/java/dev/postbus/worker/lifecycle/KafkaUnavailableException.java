package dev.postbus.worker.lifecycle;

/**
 * Kafka could not be reached within {@code worker.startup-timeout}: an expected failure, so the
 * message is the one line to print and there is no stack trace.
 */
public final class KafkaUnavailableException extends RuntimeException {

  /** The exit code of `postbus worker` when it gives up on Kafka (docs/operations.md). */
  public static final int EXIT_CODE = 3;

  public KafkaUnavailableException(String line) {
    super(line, null, false, false);
  }
}
