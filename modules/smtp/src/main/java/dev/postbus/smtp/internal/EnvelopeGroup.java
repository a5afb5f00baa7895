package dev.postbus.smtp.internal;

import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpReply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One envelope's commands and, once read, their replies: [RSET] MAIL, every RCPT, and the end of
 * the envelope (DATA, or BDAT … LAST whose chunk follows it). Run by a {@link Exchange}: pipelined
 * (in one write, replies read by count) or lock-step (each reply before the next command).
 *
 * <p>Every reply is checked against the command it answers: a code that cannot answer it (a 3xx to
 * MAIL, a 354 to RCPT, a 250 to DATA) means the relay and Postbus are out of step, a {@link
 * ReplyReader.ProtocolException} that breaks the session, never a refusal of the message.
 */
final class EnvelopeGroup {

  private final String[] commands;
  private final Reply[] replies;
  private final boolean reset;
  private final String[] recipients;
  private final boolean chunk;
  private int answered;
  private boolean timed; // the group's first reply was read for: due is taken
  private long due; // once timed: nanoTime by which every reply read before a chunk is due

  /**
   * @param end "DATA", or "BDAT n LAST" (its chunk is written by the exchange's caller)
   */
  EnvelopeGroup(boolean reset, String mail, String[] recipients, String[] rcptLines, String end) {
    this.reset = reset;
    this.recipients = recipients;
    this.chunk = end.startsWith("BDAT");
    int n = (reset ? 1 : 0) + 1 + rcptLines.length + 1;
    this.commands = new String[n];
    int i = 0;
    if (reset) {
      commands[i++] = "RSET";
    }
    commands[i++] = mail;
    for (String r : rcptLines) {
      commands[i++] = r;
    }
    commands[i] = end;
    this.replies = new Reply[n];
  }

  /**
   * The next message's MAIL, RCPTs and DATA, written after this one's end, before its size and
   * content are known: MAIL goes without SIZE, and with BODY=8BITMIME whenever the server offers it
   * (true of any content).
   */
  static EnvelopeGroup ahead(String from, String[] recipients, Extensions extensions) {
    return new EnvelopeGroup(
        false,
        Commands.mailFrom(from, recipients, -1, true, extensions),
        recipients,
        Commands.rcptLines(recipients),
        "DATA");
  }

  /** The bytes of the group's commands on the wire, each with its CRLF. */
  int bytes() {
    int n = 0;
    for (String c : commands) {
      n += c.getBytes(StandardCharsets.UTF_8).length + 2;
    }
    return n;
  }

  /** Every command of the group, into the session's buffer (the caller flushes). */
  void writeAll(SessionIo io) throws IOException {
    for (String c : commands) {
      io.line(c);
    }
  }

  /** The reply to the final "." of DATA, checked as {@link #answer} checks the others. */
  static Reply endOfData(Reply r) throws ReplyReader.ProtocolException {
    if (!r.positive() && (r.code() < 400 || r.code() >= 600)) {
      throw new ReplyReader.ProtocolException(
          "reply " + r.code() + " cannot answer the end of data: out of step");
    }
    return r;
  }

  int size() {
    return commands.length;
  }

  String command(int i) {
    return commands[i];
  }

  int answered() {
    return answered;
  }

  boolean isMail(int i) {
    return i == mailAt();
  }

  boolean isEnd(int i) {
    return i == commands.length - 1;
  }

  boolean chunked() {
    return chunk;
  }

  /** Records the reply to the next unanswered command, after checking that it can answer it. */
  void answer(Reply r) throws ReplyReader.ProtocolException {
    int i = answered;
    boolean fits =
        isEnd(i) && !chunk
            ? r.code() == 354 || r.code() >= 400 && r.code() < 600
            : r.positive() || r.code() >= 400 && r.code() < 600;
    if (!fits) {
      throw new ReplyReader.ProtocolException(
          "reply " + r.code() + " cannot answer " + verb(commands[i]) + ": out of step");
    }
    replies[answered++] = r;
  }

  private static String verb(String command) {
    int sp = command.indexOf(' ');
    return sp < 0 ? command : command.substring(0, sp);
  }

  private int mailAt() {
    return reset ? 1 : 0;
  }

  Reply mail() {
    return replies[mailAt()];
  }

  Reply end() {
    return replies[commands.length - 1];
  }

  /** Whether any reply read says 421 (the relay is closing the session). */
  boolean closing() {
    for (int i = 0; i < answered; i++) {
      if (replies[i].code() == 421) {
        return true;
      }
    }
    return false;
  }

  /**
   * The recipients whose RCPT was answered with a refusal (all read ones, in order), each reply
   * made a value by {@code convert}.
   */
  List<SendOutcome.Refusal> refusals(Function<Reply, SmtpReply> convert) {
    List<SendOutcome.Refusal> out = new ArrayList<>();
    for (int k = 0; k < recipients.length; k++) {
      Reply r = replies[mailAt() + 1 + k];
      if (r != null && !r.positive()) {
        out.add(new SendOutcome.Refusal(recipients[k], convert.apply(r)));
      }
    }
    return out;
  }

  /**
   * The refusal that left no transaction, once its replies were read: a refused MAIL, or every RCPT
   * refused; else null. Nothing that happens after it (a hang-up, a timeout) can make the message
   * accepted.
   */
  SendOutcome refusal(Function<Reply, SmtpReply> convert) {
    Reply mail = answered > mailAt() ? mail() : null;
    if (mail == null) {
      return null;
    }
    if (!mail.positive()) {
      return new SendOutcome.Rejected(convert.apply(mail), "MAIL");
    }
    if (answered > mailAt() + recipients.length && accepted() == 0) {
      return new SendOutcome.RecipientsRefused(refusals(convert), 0, null);
    }
    return null;
  }

  int accepted() {
    int n = 0;
    for (int k = 0; k < recipients.length; k++) {
      Reply r = replies[mailAt() + 1 + k];
      if (r != null && r.positive()) {
        n++;
      }
    }
    return n;
  }

  /**
   * Reads the replies of the group's commands before {@code i} (a pipelined group cut where it
   * reaches the send buffer), under the group's deadline ({@link #next}).
   */
  void readUpTo(int i, SessionIo io) throws IOException {
    while (answered < i) {
      answer(next(io));
    }
  }

  /**
   * The commands left to read replies for, in a pipelined group written whole. Every reply read
   * before a chunk (DATA's group, the envelope written ahead, a long group's replies read while it
   * is written) is due within the read timeout, and all of them together within the data-done
   * timeout from the first: a relay that trickles them holds the session that long at most, not a
   * read timeout for each. After its chunk (BDAT … LAST), the relay may answer only once it has the
   * message: all the replies left are due together within the data-done timeout (one deadline,
   * taken once), so a relay that trickles them holds the session that long at most, not that long
   * for each.
   */
  void readRest(SessionIo io, boolean afterChunk) throws IOException {
    if (!afterChunk) {
      while (answered < commands.length) {
        answer(isEnd(answered) && chunk ? io.readEnd() : next(io));
      }
      return;
    }
    long due = io.endRepliesDue();
    try {
      while (answered < commands.length) {
        answer(io.readEnd(due));
      }
    } finally {
      io.endRepliesRead();
    }
  }

  /** The next reply before a chunk, by the group's deadline (taken at its first). */
  private Reply next(SessionIo io) throws IOException {
    if (!timed) {
      due = io.groupDue();
      timed = true;
    }
    return io.readInGroup(due);
  }
}
