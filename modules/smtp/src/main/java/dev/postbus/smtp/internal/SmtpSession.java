package dev.postbus.smtp.internal;

import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpConfig;
import dev.postbus.smtp.SmtpReply;
import dev.postbus.smtp.TraceOnly;
import java.io.IOException;
import java.net.SocketException;
import java.util.Arrays;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open SMTP session, after greeting, EHLO, STARTTLS and AUTH ({@link SessionOpener}). It sends
 * one message per {@link #send} and returns what came of it as a {@link SendOutcome}.
 *
 * <p>Each message is an {@link EnvelopeGroup} ([RSET] MAIL, RCPTs, DATA or BDAT … LAST) run by an
 * {@link Exchange}: pipelined when the relay offers PIPELINING (and smtp.pipelining is auto), one
 * round trip per message, lock-step otherwise. With pipelined DATA the next message's envelope
 * rides with this one's end ({@link SessionState#ENVELOPE_AHEAD}).
 *
 * <p>Lost or in doubt: {@link MessageProgress} says how far the message got.
 */
public final class SmtpSession {

  private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);

  private final SessionIo io;
  private final Extensions extensions;
  private final boolean pipelining;
  private final boolean chunking;
  private final Exchange exchange;
  private final Function<Reply, SmtpReply> replies; // a reply read, as a value for outcomes
  private final String relay; // host:port, for logs
  private final WireBytes wire = new WireBytes();
  private SessionState state = SessionState.READY;
  private final MessageProgress progress;
  private final Runnable gate = this::runGate;
  private Runnable beforeEnd; // the gate of the message under way, run through gate
  private boolean gateThrew;
  private EnvelopeGroup ahead;
  private Envelope aheadFor;

  /** The sender and recipients of the envelope written ahead. */
  private record Envelope(String from, String[] recipients) {}

  SmtpSession(SessionIo io, Extensions extensions, SmtpConfig config) {
    this(io, extensions, config, Reply::toSmtpReply);
  }

  /** With its own making of replies into values (tests: one that throws, a bug of ours). */
  SmtpSession(
      SessionIo io, Extensions extensions, SmtpConfig config, Function<Reply, SmtpReply> replies) {
    this.io = io;
    this.replies = replies;
    this.progress = new MessageProgress(replies);
    this.relay = config.host() + ":" + config.port();
    this.extensions = extensions;
    this.pipelining = extensions.pipelining() && config.pipelining();
    this.chunking = extensions.chunking() && config.chunking();
    this.exchange = Exchange.of(pipelining);
    io.watch(); // last: a session that failed to build leaves nothing with the watchdog
  }

  public Extensions extensions() {
    return extensions;
  }

  /** Whether the next message's envelope can ride with the end of this one (pipelined DATA). */
  public boolean writesAhead() {
    return pipelining && !chunking;
  }

  /** "pipelined BDAT", "pipelined DATA", "lock-step DATA"...: how this session sends, for logs. */
  public String mode() {
    return (pipelining ? "pipelined " : "lock-step ") + (chunking ? "BDAT" : "DATA");
  }

  /**
   * Whether the next message's envelope was already written (after the last message's "."): the
   * next {@link #send} must be for exactly that envelope ({@link #aheadIs}), or the session must be
   * aborted, since a 354 for recipients the server accepted cannot be taken back without sending a
   * message.
   */
  public boolean hasAhead() {
    return state == SessionState.ENVELOPE_AHEAD;
  }

  public boolean aheadIs(String from, String[] recipients) {
    return hasAhead()
        && aheadFor.from().equals(from)
        && Arrays.equals(aheadFor.recipients(), recipients);
  }

  /**
   * Whether the relay sent something while the session was idle (an idle-timeout 421, say), or,
   * after a long idle ({@code longIdle}: a 1 ms probe), hung up. Bytes are expected only when an
   * envelope was written ahead.
   */
  public boolean spokeWhileIdle(boolean longIdle) {
    return !hasAhead() && io.unsolicited(longIdle);
  }

  /** False once the connection broke, the server said 421, or the protocol went wrong. */
  public boolean usable() {
    return state != SessionState.CLOSED && !io.broken();
  }

  /**
   * Sends one message ({@code mime} as Jakarta Mail wrote it). {@code beforeEnd} (the ledger gate)
   * runs before the end of the message is written, never under the write deadline: after DATA's
   * 354, or before the BDAT command. With pipelined DATA, the next envelope ({@code nextFrom},
   * {@code nextRecipients}, when not null, not to be changed afterwards) rides with this end.
   *
   * <p>An unexpected error of ours on the way (a bug, not the relay's answer) closes the session
   * and ends the message as a connection lost there would ({@link MessageProgress}), or, once the
   * relay answered the end, as it answered ({@link EndAnswer}). What {@code beforeEnd} throws (the
   * end withheld), and an Error, pass through unchanged, the session closed.
   */
  public SendOutcome send(
      String from,
      String[] recipients,
      byte[] mime,
      int mimeLength,
      Runnable beforeEnd,
      String nextFrom,
      String[] nextRecipients) {
    if (hasAhead() && !aheadIs(from, recipients)) {
      throw new IllegalStateException(
          "the session holds another message's envelope; abort it first");
    }
    WriteWatchdog.ensureRunning(); // a pooled session watches nothing new: the thread may be gone
    progress.start();
    this.beforeEnd = beforeEnd;
    gateThrew = false;
    try {
      return transaction(from, recipients, mime, mimeLength, nextFrom, nextRecipients);
    } catch (IOException e) {
      return lost(e);
    } catch (RuntimeException e) {
      if (gateThrew) {
        abort(); // the gate withheld the end: its error is the caller's to act on
        throw e;
      }
      return failed(e);
    } catch (Error e) {
      abort();
      throw e;
    }
  }

  private SendOutcome transaction(
      String from,
      String[] recipients,
      byte[] mime,
      int mimeLength,
      String nextFrom,
      String[] nextRecipients)
      throws IOException {
    wire.encode(mime, mimeLength, !chunking);
    SendOutcome.Rejected refused =
        hasAhead() ? null : EnvelopeCheck.refusal(from, recipients, wire, extensions);
    if (refused != null) {
      return refused;
    }
    EnvelopeGroup group = envelope(from, recipients);
    SendOutcome outcome = afterEnvelope(group, nextFrom, nextRecipients);
    state = group.closing() ? state.moveTo(SessionState.CLOSED) : state;
    return outcome;
  }

  /** Runs the caller's gate, noting whether it threw (its error then passes through unchanged). */
  private void runGate() {
    gateThrew = true;
    beforeEnd.run();
    gateThrew = false;
  }

  /** Runs this message's envelope group, or reads the replies of the one written ahead. */
  private EnvelopeGroup envelope(String from, String[] recipients) throws IOException {
    if (hasAhead()) {
      EnvelopeGroup group = ahead;
      ahead = null;
      state = state.moveTo(SessionState.READY);
      progress.envelope(group);
      group.readRest(io, false);
      return group;
    }
    EnvelopeGroup group =
        new EnvelopeGroup(
            state == SessionState.RESET_PENDING,
            Commands.mailFrom(from, recipients, wire.messageSize(), wire.eightBit(), extensions),
            recipients,
            Commands.rcptLines(recipients),
            chunking ? "BDAT " + wire.length() + " LAST" : "DATA");
    state = state.moveTo(SessionState.READY);
    progress.envelope(group);
    exchange.run(group, io, gate, this::writeChunk);
    return group;
  }

  /** The BDAT chunk and the flush (the exchange ran the gate before the BDAT command). */
  private void writeChunk() throws IOException {
    progress.body();
    io.write(wire.array(), 0, wire.length());
    progress.endGiven(io);
    flushEnd();
  }

  /**
   * The last flush of a message: once it returned normally, the end was handed to the socket and
   * the relay may have the whole message (END_SENT in {@link MessageProgress}). A session the write
   * watchdog already broke cannot send the end.
   */
  private void flushEnd() throws IOException {
    if (io.broken()) {
      throw new SocketException("the write timed out before the end of the message");
    }
    io.flush();
    progress.endSent();
  }

  private SendOutcome afterEnvelope(EnvelopeGroup group, String nextFrom, String[] nextRecipients)
      throws IOException {
    if (chunking && group.end() != null) {
      progress.answered(new EndAnswer(group, group.end(), replies)); // BDAT LAST was answered
    }
    SendOutcome refused = group.refusal(replies);
    if (refused != null) { // a refused MAIL, or every RCPT refused
      loneDotAfter354(group);
      resetNext();
      return refused;
    }
    Reply end = group.end();
    if (!chunking && end.code() != 354) {
      resetNext();
      return new SendOutcome.Rejected(replies.apply(end), "DATA");
    }
    if (!chunking) {
      end = writeData(nextFrom, nextRecipients);
      progress.answered(new EndAnswer(group, end, replies));
    }
    return ended(progress.answer());
  }

  /** After DATA's 354: the message, its end, the next envelope if any, and the end's reply. */
  private Reply writeData(String nextFrom, String[] nextRecipients) throws IOException {
    gate.run();
    try (SessionIo.Writing w = io.writing()) {
      progress.body();
      io.write(wire.array(), 0, wire.length());
      progress.endGiven(io);
      if (nextFrom != null
          && writesAhead()
          && EnvelopeCheck.canGoAhead(nextFrom, nextRecipients, extensions)) {
        writeAhead(
            EnvelopeGroup.ahead(nextFrom, nextRecipients, extensions), nextFrom, nextRecipients);
      }
      flushEnd();
    }
    return EnvelopeGroup.endOfData(io.readEnd());
  }

  /**
   * The next message's envelope, after this one's "." (RFC 2920 allows content first), when it fits
   * in {@link SessionIo#groupLimit()}: its replies are read only by the next send, so a longer one
   * could fill the relay's buffers and stall our write (RFC 2920 3.1's deadlock) after a message
   * the relay accepted. A longer one is not written ahead: the next send cuts it as any group.
   */
  private void writeAhead(EnvelopeGroup group, String from, String[] recipients)
      throws IOException {
    if (group.bytes() > io.groupLimit()) {
      return;
    }
    ahead = group;
    ahead.writeAll(io);
    aheadFor = new Envelope(from, recipients);
    state = state.moveTo(SessionState.ENVELOPE_AHEAD);
  }

  /** The reply to the end of the message (final "." or BDAT LAST); a 421 closes the session. */
  private SendOutcome ended(EndAnswer answer) {
    Reply end = answer.end();
    state = end.code() == 421 ? state.moveTo(SessionState.CLOSED) : state;
    if (!end.positive() && chunking) {
      resetNext(); // RFC 3030: after a refused BDAT the transaction must be reset
    }
    return answer.outcome();
  }

  private void resetNext() {
    if (state == SessionState.READY) {
      state = state.moveTo(SessionState.RESET_PENDING);
    }
  }

  /**
   * DATA said 354 though the transaction cannot go on: end it with an empty message (RFC 2920 3.1).
   */
  private void loneDotAfter354(EnvelopeGroup group) throws IOException {
    Reply end = group.end();
    if (end != null && !chunking && end.code() == 354) {
      try (SessionIo.Writing w = io.writing()) {
        io.line(".");
        io.flush();
      }
      if (io.read().code() == 421) {
        state = state.moveTo(SessionState.CLOSED);
      }
    }
  }

  private SendOutcome lost(IOException e) {
    state = state.moveTo(SessionState.CLOSED);
    io.close();
    return progress.lost(io, e);
  }

  /**
   * An unexpected error of ours (a bug, not the relay's answer) ends the message as a lost
   * connection would at this point (lost before the end, in doubt after it, as answered once the
   * relay answered the end) and closes the session. Its message is not logged (it may name a
   * recipient).
   */
  private SendOutcome failed(RuntimeException e) {
    abort();
    SendOutcome outcome = progress.failed(io, e);
    log.error(
        "unexpected error while sending a message to {}; the session is closed, {}",
        relay,
        fate(outcome),
        TraceOnly.of(e));
    return outcome;
  }

  /** What became of the message, for logs. */
  private String fate(SendOutcome outcome) {
    EndAnswer answer = progress.answer();
    if (answer != null) {
      return "the outcome is the relay's answer to its end (" + answer.end().code() + ")";
    }
    if (outcome instanceof SendOutcome.Rejected
        || outcome instanceof SendOutcome.RecipientsRefused) {
      return "the outcome is the relay's refusal of its envelope";
    }
    return outcome instanceof SendOutcome.InDoubt
        ? "the message is in doubt"
        : "the message is lost (not accepted)";
  }

  /**
   * QUIT, then close, without waiting for the reply (Postfix's smtp_skip_quit_response): closing
   * never holds a caller for a read timeout. With an envelope written ahead the server may be
   * waiting for message data after a 354: the socket is closed instead (the server then drops the
   * unfinished transaction), since QUIT would be taken as data. Never throws.
   */
  public void quit() {
    if (usable() && !hasAhead()) {
      try (SessionIo.Writing w = io.writing()) {
        io.line("QUIT");
        io.flush();
      } catch (IOException e) {
        // closing anyway
      }
    }
    abort();
  }

  /** Closes the socket without a word: the session is broken or mid-command. Never throws. */
  public void abort() {
    state = state.moveTo(SessionState.CLOSED);
    io.close();
  }
}
