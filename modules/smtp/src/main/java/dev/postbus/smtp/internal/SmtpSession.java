package dev.postbus.smtp.internal;

import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpConfig;
import dev.postbus.smtp.SmtpReply;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One open SMTP session on a JDK socket, after greeting, EHLO, STARTTLS and AUTH ({@link
 * SessionOpener}). It sends one message per {@link #send} and returns what came of it as a {@link
 * SendOutcome}.
 *
 * <p>When the server offered PIPELINING (and smtp.pipelining is auto) the envelope goes out as one
 * group: [RSET] MAIL, every RCPT, and DATA, read back by count; with CHUNKING (and smtp.chunking
 * auto) the group ends with {@code BDAT n LAST} and the message itself, so a message costs one
 * round trip. Without PIPELINING each command waits for its reply. A failed transaction is reset
 * with RSET, which rides at the head of the next group instead of costing a round trip of its own.
 *
 * <p>In doubt or not: a failure once the end of the message may have reached the server (the final
 * "." of DATA, or the BDAT LAST chunk) is {@link SendOutcome.InDoubt}; any failure before is {@link
 * SendOutcome.ConnectionLost}.
 */
public final class SmtpSession implements WriteWatchdog.Watched {

  private static final byte[] CRLF = {'\r', '\n'};

  /** The end of DATA content, which {@link WireBytes} puts last. */
  private static final byte[] END_OF_DATA = {'.', '\r', '\n'};

  /** The last byte of a BDAT chunk: until it is sent, the server cannot have the whole message. */
  private static final int END_OF_CHUNK = 1;

  private static final int OUT_BUFFER = 64 * 1024;

  private final Socket socket;
  private final OutputStream out;
  private final ReplyReader in;
  private final Extensions extensions;
  private final boolean pipelining;
  private final boolean chunking;
  private final long writeTimeoutNanos;
  private final WireBytes wire = new WireBytes();
  private final List<SendOutcome.Refusal> refusals = new ArrayList<>();
  private Reply[] replies = new Reply[8];
  private volatile long writeDeadline;
  private boolean needsReset;
  private boolean broken;

  /**
   * MAIL, RCPTs and DATA of the next message, written after the previous one's "." and not answered
   * yet.
   */
  private Ahead ahead;

  private record Ahead(String from, String[] recipients) {}

  SmtpSession(Socket socket, ReplyReader in, Extensions extensions, SmtpConfig config)
      throws IOException {
    this.socket = socket;
    this.out = new BufferedOutputStream(socket.getOutputStream(), OUT_BUFFER);
    this.in = in;
    this.extensions = extensions;
    this.pipelining = extensions.pipelining() && config.pipelining();
    this.chunking = extensions.chunking() && config.chunking();
    this.writeTimeoutNanos = config.writeTimeout().toNanos();
    WriteWatchdog.watch(this);
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
    return ahead != null;
  }

  public boolean aheadIs(String from, String[] recipients) {
    return ahead != null
        && ahead.from().equals(from)
        && java.util.Arrays.equals(ahead.recipients(), recipients);
  }

  /** False once the connection broke, the server said 421, or the protocol went wrong: close it. */
  public boolean usable() {
    return !broken;
  }

  /**
   * Sends one message. {@code mime} is the message as written by Jakarta Mail (line ends are made
   * CRLF here); {@code beforeEnd} runs just before the end of the message is written, the point
   * after which the server may accept it. With pipelined DATA, the envelope of the next message
   * ({@code nextFrom}, {@code nextRecipients}, when not null) goes out in the same write as this
   * message's data and ".", so that the next message finds its 354 waiting: one round trip per
   * message. The caller must not change {@code nextRecipients} afterwards.
   */
  public SendOutcome send(
      String from,
      String[] recipients,
      byte[] mime,
      int mimeLength,
      Runnable beforeEnd,
      String nextFrom,
      String[] nextRecipients) {
    if (ahead != null && !aheadIs(from, recipients)) {
      throw new IllegalStateException(
          "the session holds another message's envelope; abort it first");
    }
    wire.encode(mime, mimeLength, !chunking);
    if (extensions.size() > 0 && wire.length() > extensions.size()) {
      return new SendOutcome.Rejected(
          new SmtpReply(
              552,
              "5.3.4",
              "message of "
                  + wire.length()
                  + " bytes is larger than the relay's SIZE limit of "
                  + extensions.size()
                  + " bytes; not sent"),
          "MAIL");
    }
    refusals.clear();
    if (replies.length < recipients.length + 3) {
      replies = new Reply[recipients.length + 3];
    }
    try {
      return transaction(
          from, recipients, beforeEnd, pipelining && !chunking ? nextFrom : null, nextRecipients);
    } catch (EndWritten e) {
      return lost(e.getCause(), true);
    } catch (IOException e) {
      return lost(e, false);
    }
  }

  private SendOutcome transaction(
      String from,
      String[] recipients,
      Runnable beforeEnd,
      String nextFrom,
      String[] nextRecipients)
      throws IOException, EndWritten {
    if (ahead != null) {
      ahead = null; // written after the last "." (no RSET: that transaction ended); its replies are
      // waiting
      return afterEnvelope(
          recipients, beforeEnd, -1, 0, 1, recipients.length + 1, nextFrom, nextRecipients);
    }
    int n = 0;
    int resetAt = -1;
    armWrite();
    if (needsReset) {
      resetAt = n;
      command(n++, "RSET");
      needsReset = false;
    }
    int mailAt = n;
    command(n++, mailFrom(from, recipients));
    if (!pipelining && !replies[mailAt].positive()) {
      return failedMail(replies[mailAt], -1);
    }
    int firstRcpt = n;
    int accepted = 0;
    for (String rcpt : recipients) {
      command(n++, "RCPT TO:<" + rcpt + ">");
      if (!pipelining && replies[n - 1].positive()) {
        accepted++;
      }
    }
    if (!pipelining && accepted == 0) {
      return noRecipient(recipients, firstRcpt, -1);
    }
    int endAt = n++;
    if (chunking) {
      beforeEnd.run();
      writeAscii("BDAT " + wire.length() + " LAST");
      writeUpToTheEnd(END_OF_CHUNK);
      try {
        int last = Math.min(END_OF_CHUNK, wire.length());
        out.write(wire.array(), wire.length() - last, last);
        out.flush();
      } catch (IOException e) {
        throw new EndWritten(e);
      }
    } else {
      writeAscii("DATA");
      out.flush();
    }
    disarmWrite();
    return afterEnvelope(
        recipients, beforeEnd, resetAt, mailAt, firstRcpt, endAt, nextFrom, nextRecipients);
  }

  /** Reads the envelope group's replies (those not read yet) and finishes the transaction. */
  private SendOutcome afterEnvelope(
      String[] recipients,
      Runnable beforeEnd,
      int resetAt,
      int mailAt,
      int firstRcpt,
      int endAt,
      String nextFrom,
      String[] nextRecipients)
      throws IOException, EndWritten {
    int accepted;
    try {
      readPending(endAt);
    } catch (IOException e) {
      if (chunking) {
        throw new EndWritten(e);
      }
      throw e;
    }
    if (resetAt >= 0) {
      checkAlive(replies[resetAt]);
    }
    if (!replies[mailAt].positive()) {
      return failedMail(replies[mailAt], endAt);
    }
    accepted = collectRefusals(recipients, firstRcpt);
    if (accepted == 0) {
      return noRecipient(recipients, firstRcpt, endAt);
    }
    Reply end = replies[endAt];
    if (chunking) {
      return ended(end, accepted);
    }
    if (end.code() != 354) {
      checkAlive(end);
      needsReset = true;
      return new SendOutcome.Rejected(end.toSmtpReply(), "DATA");
    }
    beforeEnd.run();
    armWrite();
    writeUpToTheEnd(END_OF_DATA.length);
    try {
      out.write(END_OF_DATA);
      if (nextFrom != null) {
        writeAhead(nextFrom, nextRecipients);
      }
      out.flush();
      disarmWrite();
      return ended(in.read(), accepted);
    } catch (IOException e) {
      throw new EndWritten(e);
    }
  }

  /**
   * Writes the message but its last {@code tail} bytes. A failure here is certainly before the
   * server could have the whole message (lost, not in doubt); a large message goes to the socket
   * here, a small one stays in the buffer and leaves with its end.
   */
  private void writeUpToTheEnd(int tail) throws IOException {
    out.write(wire.array(), 0, wire.length() - Math.min(tail, wire.length()));
  }

  /**
   * The next message's MAIL, RCPTs and DATA, after this one's "." (RFC 2920 allows content first in
   * a group). Its size and content are not known yet: MAIL goes without SIZE, and with
   * BODY=8BITMIME whenever the server offers it (true of any content).
   */
  private void writeAhead(String from, String[] recipients) throws IOException {
    StringBuilder mail = new StringBuilder(64).append("MAIL FROM:<").append(from).append('>');
    if (extensions.eightBitMime()) {
      mail.append(" BODY=8BITMIME");
    }
    if (extensions.smtpUtf8() && (nonAscii(from) || anyNonAscii(recipients))) {
      mail.append(" SMTPUTF8");
    }
    writeAscii(mail.toString());
    for (String rcpt : recipients) {
      writeAscii("RCPT TO:<" + rcpt + ">");
    }
    writeAscii("DATA");
    ahead = new Ahead(from, recipients);
  }

  /** The reply to the end of the message (final "." or BDAT LAST). */
  private SendOutcome ended(Reply end, int accepted) {
    checkAlive(end);
    if (!end.positive()) {
      needsReset = chunking; // RFC 3030: after a refused BDAT the transaction must be reset
      return new SendOutcome.Rejected(end.toSmtpReply(), "DATA");
    }
    if (refusals.isEmpty()) {
      return new SendOutcome.Delivered(end.toSmtpReply());
    }
    return new SendOutcome.RecipientsRefused(refusals, accepted, end.toSmtpReply());
  }

  private SendOutcome failedMail(Reply mail, int endAt) throws IOException {
    checkAlive(mail);
    loneDotAfter354(endAt);
    needsReset = true;
    return new SendOutcome.Rejected(mail.toSmtpReply(), "MAIL");
  }

  private SendOutcome noRecipient(String[] recipients, int firstRcpt, int endAt)
      throws IOException {
    collectRefusals(recipients, firstRcpt);
    for (SendOutcome.Refusal r : refusals) {
      if (r.reply().code() == 421) {
        broken = true;
      }
    }
    loneDotAfter354(endAt);
    needsReset = true;
    return new SendOutcome.RecipientsRefused(refusals, 0, null);
  }

  /**
   * DATA said 354 though the transaction cannot go on: end it with an empty message (RFC 2920 3.1).
   */
  private void loneDotAfter354(int endAt) throws IOException {
    if (endAt >= 0 && !chunking && replies[endAt].code() == 354) {
      armWrite();
      writeAscii(".");
      out.flush();
      disarmWrite();
      in.read();
    }
  }

  private int collectRefusals(String[] recipients, int firstRcpt) {
    refusals.clear();
    int accepted = 0;
    for (int i = 0; i < recipients.length; i++) {
      Reply r = replies[firstRcpt + i];
      if (r.positive()) {
        accepted++;
      } else {
        refusals.add(new SendOutcome.Refusal(recipients[i], r.toSmtpReply()));
      }
    }
    return accepted;
  }

  /** Writes a command; in lock-step, also waits for its reply. */
  private void command(int slot, String line) throws IOException {
    writeAscii(line);
    replies[slot] = null;
    if (!pipelining) {
      out.flush();
      disarmWrite();
      replies[slot] = in.read();
      armWrite();
    }
  }

  /** Pipelined: every reply of the group, in order; lock-step: the one to DATA or BDAT. */
  private void readPending(int endAt) throws IOException {
    for (int i = pipelining ? 0 : endAt; i <= endAt; i++) {
      replies[i] = in.read();
    }
  }

  /**
   * A 421 means the server is closing the session: finish this message's outcome, then reconnect.
   */
  private void checkAlive(Reply r) {
    if (r.code() == 421) {
      broken = true;
    }
  }

  private SendOutcome lost(IOException e, boolean endWritten) {
    broken = true;
    disarmWrite();
    String problem = Problems.describe(e);
    return endWritten
        ? new SendOutcome.InDoubt("connection lost after the end of data: " + problem)
        : new SendOutcome.ConnectionLost("connection lost before the end of data: " + problem);
  }

  private String mailFrom(String from, String[] recipients) {
    StringBuilder b = new StringBuilder(64).append("MAIL FROM:<").append(from).append('>');
    if (extensions.size() >= 0) {
      b.append(" SIZE=").append(wire.length());
    }
    if (wire.eightBit() && extensions.eightBitMime()) {
      b.append(" BODY=8BITMIME");
    }
    if (extensions.smtpUtf8() && (nonAscii(from) || anyNonAscii(recipients))) {
      b.append(" SMTPUTF8");
    }
    return b.toString();
  }

  private static boolean anyNonAscii(String[] addresses) {
    for (String a : addresses) {
      if (nonAscii(a)) {
        return true;
      }
    }
    return false;
  }

  private static boolean nonAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0x7F) {
        return true;
      }
    }
    return false;
  }

  private void writeAscii(String line) throws IOException {
    out.write(line.getBytes(StandardCharsets.UTF_8));
    out.write(CRLF);
  }

  private void armWrite() {
    writeDeadline = System.nanoTime() + writeTimeoutNanos | 1; // never 0 while armed
  }

  private void disarmWrite() {
    writeDeadline = 0;
  }

  @Override
  public long writeDeadline() {
    return writeDeadline;
  }

  @Override
  public void writeTimedOut() {
    broken = true;
    closeSocket();
  }

  /**
   * QUIT, wait for its reply (bounded by the read timeout), close. Never throws. With an envelope
   * written ahead the server may be waiting for message data after a 354: the socket is closed
   * instead (the server then drops the unfinished transaction), since QUIT would be taken as data.
   */
  public void quit() {
    try {
      if (!broken && ahead == null) {
        armWrite();
        writeAscii("QUIT");
        out.flush();
        disarmWrite();
        in.read();
      }
    } catch (IOException e) {
      // closing anyway
    } finally {
      abort();
    }
  }

  /** Closes the socket without a word: the session is broken or mid-command. Never throws. */
  public void abort() {
    broken = true;
    WriteWatchdog.unwatch(this);
    closeSocket();
  }

  private void closeSocket() {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing more to do
    }
  }

  /** An I/O failure once the end of the message may have reached the server. */
  private static final class EndWritten extends Exception {
    EndWritten(IOException cause) {
      super(cause);
    }

    @Override
    public synchronized IOException getCause() {
      return (IOException) super.getCause();
    }
  }
}
