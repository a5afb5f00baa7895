package dev.postbus.smtp.internal;

import dev.postbus.smtp.SendOutcome;
import java.io.IOException;

/**
 * How far the current message got, the one thing the lost/in-doubt decision reads. A failure once
 * the end may have reached the socket ({@link Phase#END_SENT}: a write holding the final "." of
 * DATA, or the last byte of the BDAT chunk, returned normally, or the failing socket write carried
 * the envelope ahead after the end) is {@link SendOutcome.InDoubt}; any failure before, a failing
 * write that ended with the end included, is {@link SendOutcome.ConnectionLost}. An unexpected
 * error of ours (not an I/O failure) is decided the same way. Once the relay answered the end
 * ({@link Phase#ANSWERED}) its answer is the outcome: a failure after it cannot make an accepted
 * message lost or in doubt (and sent again).
 */
final class MessageProgress {

  /** How far the current message got. */
  enum Phase {
    ENVELOPE,
    BODY,
    END_SENT,
    ANSWERED
  }

  private Phase phase = Phase.ENVELOPE;
  private EndAnswer answer; // once ANSWERED
  private long endAt = Long.MAX_VALUE; // io.given() once the message's end is given

  void start() {
    phase = Phase.ENVELOPE;
    endAt = Long.MAX_VALUE;
    answer = null;
  }

  void body() {
    phase = Phase.BODY;
  }

  /** The message's end was given to {@code io} (it may still be buffered). */
  void endGiven(SessionIo io) {
    endAt = io.given();
  }

  /** A write holding the end returned normally. */
  void endSent() {
    phase = Phase.END_SENT;
  }

  /** The relay answered the end of the message: from now on its answer is the outcome. */
  void answered(EndAnswer answer) {
    this.answer = answer;
    phase = Phase.ANSWERED;
  }

  /** The relay's answer to the end, once {@link Phase#ANSWERED}; else null. */
  EndAnswer answer() {
    return answer;
  }

  Phase phase() {
    return phase;
  }

  /** The outcome of an I/O failure now. */
  SendOutcome lost(SessionIo io, IOException e) {
    return outcome(io, Problems.describe(e));
  }

  /**
   * The outcome of an unexpected error of ours now (a bug, not the relay's answer), taken as a
   * connection lost at this point: the session is closed. Only its class is told (its message may
   * hold anything).
   */
  SendOutcome failed(SessionIo io, RuntimeException e) {
    return outcome(io, "unexpected error (" + e.getClass().getSimpleName() + ")");
  }

  private SendOutcome outcome(SessionIo io, String problem) {
    if (phase == Phase.ANSWERED) {
      return answer.outcomeAnyway();
    }
    if (phase == Phase.BODY && (io.handed(endAt) || io.offeredPast(endAt))) {
      // The end went out in an earlier write (a full buffer's flush), or the failing write carried
      // it and bytes after it (the envelope ahead): the kernel may have taken the "." before the
      // write failed. Bytes only buffered here (a session the watchdog broke) never left.
      phase = Phase.END_SENT;
    }
    return phase == Phase.END_SENT
        ? new SendOutcome.InDoubt("connection lost after the end of data: " + problem)
        : new SendOutcome.ConnectionLost("connection lost before the end of data: " + problem);
  }
}
