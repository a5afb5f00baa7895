package dev.postbus.worker.outcome;

import dev.postbus.smtp.OutcomeClass;
import dev.postbus.smtp.SmtpReply;

/**
 * Why an attempt did not deliver.
 *
 * @param reply the relay's reply, when there was one
 * @param command the SMTP command the reply answered (MAIL, RCPT, DATA), when there was one
 * @param inDoubt the relay may have accepted the message (connection lost after the final '.')
 */
public record Failure(
    OutcomeClass outcomeClass, String reason, SmtpReply reply, String command, boolean inDoubt) {

  public static Failure poison(String reason) {
    return new Failure(OutcomeClass.POISON, reason, null, null, false);
  }

  public Failure expired(String why) {
    return new Failure(
        OutcomeClass.EXPIRED, why + "; last failure: " + reason, reply, command, inDoubt);
  }
}
