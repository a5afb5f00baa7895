package dev.postbus.client;

/**
 * Kafka did not take a job: it is not published, and it is safe to publish it again with the same
 * id.
 */
public final class PublishException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public PublishException(String jobId, String topic, Throwable cause) {
    super("job " + jobId + " was not published to " + topic + ": " + cause.getMessage(), cause);
  }
}
