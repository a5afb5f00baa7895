package dev.postbus.smtp.internal;

import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpReply;
import java.io.IOException;
import java.util.function.Function;

/**
 * How far the current message got, the one thing the lost/in-doubt decision reads. A failure once
 * the end may have reached the socket ({@link Phase#END_SENT}: a write holding the final "." of
 * DATA, or the last byte of the BDAT chunk, returned normally, or the failing socket write carried
 * the envelope ahead after the end) is {@link SendOutcome.InDoubt}; any failure before, a failing
 * write that ended with the end included, is {@link SendOutcome.ConnectionLost}. An unexpected
 * error of ours (not an I/O failure) is decided the same way. Once the relay answered the end
 * ({@link Phase#ANSWERED}) its answer is the outcome: a failure after it cannot make an accepted
 * message lost or in doubt (and sent again). Nor can it once the relay refused the MAIL, or every
 * RCPT, of the message's envelope ({@link EnvelopeGroup#refusal}): no transaction existed, and a
 * relay may hang up after a refusal (a 421, or Postfix at its error limit); the refusal is the
 * outcome, as if the connection had stayed. Not after a protocol error: replies out of step are no
 * refusal to trust.
 */
final class MessageProgress {

  /** How far the current message got. */
  enum Phase {
    ENVELOPE,
    BODY,
    END_SENT,
    ANSWERED
  }

  private final Function<Reply, SmtpReply> replies; // how the session makes replies values
  private Phase phase = Phase.ENVELOPE;
  private EnvelopeGroup group; // the message's envelope, once its commands are under way
  private EndAnswer answer; // once ANSWERED
  private long endAt = Long.MAX_VALUE; // io.given() once the message's end is given

  MessageProgress(Function<Reply, SmtpReply> replies) {
    this.replies = replies;
  }

  void start() {
    phase = Phase.ENVELOPE;
    endAt = Long.MAX_VALUE;
    group = null;
    answer = null;
  }

  /** The message's envelope group, before its commands are written or its replies read. */
  void envelope(EnvelopeGroup group) {
    this.group = group;
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
    return outcome(io, Problems.describe(e), !(e instanceof ReplyReader.ProtocolException));
  }

  /**
   * The outcome of an unexpected error of ours now (a bug, not the relay's answer), taken as a
   * connection lost at this point: the session is closed. Only its class is told (its message may
   * hold anything).
   */
  SendOutcome failed(SessionIo io, RuntimeException e) {
    return outcome(io, "unexpected error (" + e.getClass().getSimpleName() + ")", true);
  }

  private SendOutcome outcome(SessionIo io, String problem, boolean inStep) {
    if (phase == Phase.ANSWERED) {
      return answer.outcomeAnyway();
    }
    SendOutcome refused = inStep ? refusal() : null;
    if (refused != null) {
      return refused;
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

  /**
   * The refusal of the envelope read so far, or null; if making it a value throws (a bug of ours),
   * made from the codes and texts alone ({@link EndAnswer#minimal}). Never throws.
   */
  private SendOutcome refusal() {
    if (group == null) {
      return null;
    }
    try {
      return group.refusal(replies);
    } catch (RuntimeException e) {
      return group.refusal(EndAnswer::minimal);
    }
  }
}
