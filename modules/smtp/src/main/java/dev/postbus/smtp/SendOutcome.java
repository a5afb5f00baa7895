package dev.postbus.smtp;

import java.util.List;

/**
 * What happened to one message on one connection. Ordinary SMTP results are values, not exceptions:
 * a 550 is business as usual. {@link ReplyClassifier} turns an outcome into a class and an action.
 */
public sealed interface SendOutcome {

  /**
   * The server accepted the message for every recipient with a 2xx reply to the final {@code .}.
   */
  record Delivered(SmtpReply reply) implements SendOutcome {}

  /**
   * The server refused with a 4xx or 5xx reply to {@code command} (MAIL, DATA, or the final {@code
   * .}).
   */
  record Rejected(SmtpReply reply, String command) implements SendOutcome {}

  /**
   * Some recipients were refused at RCPT. When {@code dataReply} is not null the message was
   * accepted for the others; when it is null no recipient was accepted and nothing was sent.
   */
  record RecipientsRefused(List<Refusal> refused, int accepted, SmtpReply dataReply)
      implements SendOutcome {
    public RecipientsRefused {
      refused = List.copyOf(refused);
    }
  }

  /** One refused recipient. The address is for dead letters and events, never for logs. */
  record Refusal(String address, SmtpReply reply) {
    @Override
    public String toString() {
      return "Refusal[" + reply.codes() + "]";
    }
  }

  /**
   * No session could be set up: connection refused or timed out, or the server refused the session
   * (e.g. 421 in the greeting). Nothing was sent.
   */
  record ConnectFailed(String problem) implements SendOutcome {}

  /**
   * The session broke before the message was complete (reset, timeout, end of stream before the
   * final {@code .}): the message was certainly not accepted.
   */
  record ConnectionLost(String problem) implements SendOutcome {}

  /**
   * The connection broke after the final {@code .} and before the reply: the server may or may not
   * have accepted it. Sending it again risks a duplicate.
   */
  record InDoubt(String problem) implements SendOutcome {}

  /**
   * The message could not be written out (a part that cannot be encoded, or an error of ours while
   * encoding it): nothing of it was sent, and sending it again fails the same way. Not the relay's
   * refusal: it says nothing of the recipient or the relay.
   */
  record Unwritable(String problem) implements SendOutcome {}

  /**
   * The relay refuses us, not the message: authentication failed, TLS could not be set up, or
   * STARTTLS is required and not offered. Every message would fail the same way.
   */
  record RelayRefused(String problem, SmtpReply reply) implements SendOutcome {}
}
