package dev.postbus.worker.deadletter;

import dev.postbus.smtp.SmtpReply;
import java.time.Instant;

/**
 * Why a record is dead-lettered.
 *
 * @param reply the relay's reply, when there was one
 * @param command the SMTP command the reply answered (MAIL, RCPT, DATA), when there was one
 */
public record DeadLetter(FailureClass failureClass, String reason, SmtpReply reply, String command, int attempts,
    Instant firstFailure, Instant lastFailure) {

  public static DeadLetter poison(String reason, Instant now) {
    return new DeadLetter(FailureClass.POISON, reason, null, null, 0, now, now);
  }
}
