package dev.postbus.smtp;

/**
 * What happened to one message on one connection. Ordinary SMTP results are values, not exceptions: a 550
 * is business as usual.
 */
public sealed interface SendOutcome {

  /** The server accepted the message with a 2xx reply to the final {@code .}. */
  record Delivered(SmtpReply reply) implements SendOutcome {}

  /** The server refused with a 4xx or 5xx reply to {@code command} (MAIL, RCPT, DATA, or the final {@code .}). */
  record Rejected(SmtpReply reply, String command) implements SendOutcome {}

  /**
   * No reply: the connection could not be made or broke before the message was complete (refused, timed
   * out, reset). The message was certainly not accepted; sending it again is safe.
   */
  record ConnectionFailed(String problem) implements SendOutcome {}

  /**
   * The connection broke after the final {@code .} and before the reply: the server may or may not have
   * accepted it. Sending it again risks a duplicate.
   */
  record InDoubt(String problem) implements SendOutcome {}

  /**
   * The relay refuses us, not the message: authentication failed, TLS could not be set up, or STARTTLS is
   * required and not offered. Every message would fail the same way.
   */
  record RelayRefused(String problem, SmtpReply reply) implements SendOutcome {}
}
