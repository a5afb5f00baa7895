package dev.postbus.feedback.model;

/**
 * A request the receiver does not accept: its HTTP status and a short reason label (the {@code
 * reason} of {@code postbus_feedback_rejected_total}). The message names the field or check, never
 * an address or a secret.
 */
public final class Refusal extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String reason;

  public Refusal(int status, String reason, String message) {
    super(message, null, false, false);
    this.status = status;
    this.reason = reason;
  }

  /** 400: a body that is not what the provider sends. */
  public static Refusal malformed(String field, String problem) {
    return new Refusal(400, "malformed", field + ": " + problem);
  }

  /** 401: no credentials, or the wrong ones. */
  public static Refusal unauthorized(String message) {
    return new Refusal(401, "unauthorized", message);
  }

  /** 403: a signature that does not verify, or a source not allowed. */
  public static Refusal forbidden(String reason, String message) {
    return new Refusal(403, reason, message);
  }

  public int status() {
    return status;
  }

  public String reason() {
    return reason;
  }
}
