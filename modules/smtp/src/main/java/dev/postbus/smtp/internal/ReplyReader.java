package dev.postbus.smtp.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Reads replies from the socket's stream through a buffer of its own: "250-first\r\n250 last\r\n"
 * is one reply. A reply split across TCP packets is read whole; a line without a valid code, a
 * continuation with another code, or a line longer than {@link #MAX_LINE} is a protocol error (an
 * {@link IOException}: the session cannot go on).
 *
 * <p>A reply must arrive whole within its timeout, not each read: a relay that trickles a byte just
 * inside the socket's read timeout would otherwise hold the session for hours. The deadline is
 * taken at the reply's first read from the socket (one {@link System#nanoTime} per reply that is
 * not buffered already); only a reply that needs more reads sets the socket's read timeout to the
 * time left before each of them (and back afterwards), or fails when none is left. A reply whole in
 * one read costs nothing more.
 *
 * <p>Under TLS one read of the stream reads a whole TLS record, in as many socket reads as its
 * bytes take to come, each with the full read timeout: a record trickled below TLS would outlast
 * any bound. So a TLS session's reader arms a {@link ReadDeadline} (the reply's deadline) before
 * each read from the stream and disarms it after: two compare-and-sets per read, nothing allocated.
 * It is put under the {@link WriteWatchdog} at the first read and taken off by {@link #close}. A
 * reply read before the deadline closed the socket stands; the session is broken ({@link #cut}) and
 * its next read or write fails.
 */
public final class ReplyReader {

  /** Sets the read timeout of the socket the replies come from (SO_TIMEOUT). */
  interface ReadTimeout {
    void set(int millis) throws SocketException;
  }

  /**
   * RFC 5321 allows 512 octets per reply line; real servers send longer texts, so we allow some
   * more.
   */
  static final int MAX_LINE = 8192;

  /**
   * More lines than any real EHLO reply: a server that never ends its reply cannot make us buffer
   * forever.
   */
  static final int MAX_LINES = 512;

  private final InputStream in;
  private final ReadDeadline tls; // null for a plain session
  private final ReadTimeout timeout;
  private boolean watched; // tls is under the watchdog
  private final LongSupplier nanoTime;
  private final int readTimeoutMillis;
  private final byte[] line = new byte[MAX_LINE];
  private final byte[] buf = new byte[8192];
  private int pos;
  private int limit;
  private int wholeMillis; // the bound of the reply under way
  private boolean reading; // the reply under way has read from the socket
  private long deadline; // once reading: nanoTime by which the reply must be whole
  private boolean shortened; // the socket's read timeout is the time left, not wholeMillis
  private boolean grouped; // the reply under way is also due by groupDue
  private long groupDue; // when grouped: nanoTime by which the group's replies must all be in

  /**
   * Replies from {@code socket}, whose read timeout is {@code readTimeoutMillis} (also the bound of
   * a whole reply, {@link #read()}).
   */
  public ReplyReader(Socket socket, int readTimeoutMillis) throws IOException {
    this(socket, socket, readTimeoutMillis);
  }

  /**
   * Replies from {@code socket}, TLS over {@code raw} when they differ: the TCP socket the reply's
   * deadline closes.
   */
  ReplyReader(Socket socket, Socket raw, int readTimeoutMillis) throws IOException {
    this(
        socket.getInputStream(),
        socket == raw ? null : new ReadDeadline(raw),
        socket::setSoTimeout,
        System::nanoTime,
        readTimeoutMillis);
  }

  /** With its own stream, read timeout and clock (tests). */
  ReplyReader(InputStream in, ReadTimeout timeout, LongSupplier nanoTime, int readTimeoutMillis) {
    this(in, null, timeout, nanoTime, readTimeoutMillis);
  }

  private ReplyReader(
      InputStream in,
      ReadDeadline tls,
      ReadTimeout timeout,
      LongSupplier nanoTime,
      int readTimeoutMillis) {
    this.in = in;
    this.tls = tls;
    this.timeout = timeout;
    this.nanoTime = nanoTime;
    this.readTimeoutMillis = readTimeoutMillis;
  }

  /** The next reply, whole within the read timeout. */
  public Reply read() throws IOException {
    return read(readTimeoutMillis);
  }

  /**
   * The next reply, whole within {@code wholeMillis}: the socket's read timeout must be that now,
   * and is again when this returns or throws.
   */
  public Reply read(int wholeMillis) throws IOException {
    this.wholeMillis = wholeMillis;
    reading = false;
    return parseBounded();
  }

  /**
   * The next of several replies due together by {@code deadline} ({@link System#nanoTime}), taken
   * once for all of them ({@code wholeMillis} before, at the first): each read from the socket, the
   * first of each reply too, waits only the time left. The socket's read timeout must be {@code
   * wholeMillis} now, and is again when this returns or throws. A reply already buffered costs
   * nothing more.
   */
  Reply read(int wholeMillis, long deadline) throws IOException {
    this.wholeMillis = wholeMillis;
    this.deadline = deadline;
    reading = true; // the deadline is taken: every read from the socket is a shortened one
    return parseBounded();
  }

  /**
   * The next of a pipelined group's replies, due together by {@code due} ({@link System#nanoTime}):
   * whole within the read timeout, and by {@code due} when that comes first (the read then waits
   * only the time left, none once it is gone). The socket's read timeout must be the read timeout
   * now, and is again when this returns or throws. A reply already buffered costs nothing more;
   * while the group's deadline is the later one, neither does one read from the socket.
   */
  Reply readInGroup(long due) throws IOException {
    wholeMillis = readTimeoutMillis;
    reading = false;
    groupDue = due;
    grouped = true;
    try {
      return parseBounded();
    } finally {
      grouped = false;
    }
  }

  private Reply parseBounded() throws IOException {
    try {
      return parse();
    } finally {
      if (shortened) {
        restore();
      }
    }
  }

  private Reply parse() throws IOException {
    List<String> lines = null;
    String single = null;
    int code = -1;
    for (int count = 0; count < MAX_LINES; count++) {
      int n = readLine();
      if (n < 3
          || !digit(line[0])
          || !digit(line[1])
          || !digit(line[2])
          || (n > 3 && line[3] != ' ' && line[3] != '-')) {
        throw new ProtocolException(
            "malformed reply line from the server (" + Math.min(n, 3) + " bytes of code)");
      }
      int c = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
      if (code >= 0 && c != code) {
        throw new ProtocolException(
            "a multi-line reply changed its code from " + code + " to " + c);
      }
      code = c;
      String text = n > 4 ? new String(line, 4, n - 4, StandardCharsets.UTF_8) : "";
      if (single == null && lines == null) {
        single = text;
      } else {
        if (lines == null) {
          lines = new ArrayList<>();
          lines.add(single);
        }
        lines.add(text);
      }
      boolean last = n == 3 || line[3] == ' ';
      if (last) {
        return new Reply(code, lines == null ? List.of(single) : List.copyOf(lines));
      }
    }
    throw new ProtocolException("a reply of more than " + MAX_LINES + " lines");
  }

  /** Reads one line into {@link #line} without its CRLF (or bare LF); returns its length. */
  private int readLine() throws IOException {
    int n = 0;
    while (true) {
      if (pos == limit) {
        fill();
      }
      byte b = buf[pos++];
      if (b == '\n') {
        if (n > 0 && line[n - 1] == '\r') {
          n--;
        }
        return n;
      }
      if (n == MAX_LINE) {
        throw new ProtocolException("a reply line longer than " + MAX_LINE + " bytes");
      }
      line[n++] = b;
    }
  }

  private void fill() throws IOException {
    if (!reading) {
      reading = true;
      deadline = nanoTime.getAsLong() + wholeMillis * 1_000_000L;
      if (grouped && groupDue - deadline < 0) {
        deadline = groupDue; // the group's deadline comes first
        shorten();
      }
    } else {
      shorten();
    }
    int r = tls == null ? in.read(buf, 0, buf.length) : readTls();
    if (r < 0) {
      throw new EOFException("the server closed the connection");
    }
    pos = 0;
    limit = r;
  }

  /** A read of the TLS stream under the reply's deadline (the watchdog closes the TCP socket). */
  private int readTls() throws IOException {
    if (!watched) {
      WriteWatchdog.watch(tls);
      watched = true;
    }
    tls.arm(deadline);
    int r;
    try {
      r = in.read(buf, 0, buf.length);
    } catch (IOException e) {
      if (!tls.disarm()) {
        throw tooLate(); // the failure is the socket the deadline closed
      }
      throw e;
    }
    tls.disarm(); // if the deadline won meanwhile, the bytes read stand: the next read fails
    return r;
  }

  private SocketTimeoutException tooLate() {
    if (grouped && deadline == groupDue) {
      return new SocketTimeoutException(
          "the replies of a pipelined group did not arrive within their shared deadline");
    }
    return new SocketTimeoutException(
        "the reply did not arrive whole within " + wholeMillis + " ms");
  }

  /** Whether a reply's deadline closed the TCP socket: the session cannot go on. */
  public boolean cut() {
    return tls != null && tls.expired();
  }

  /** The deadline of each read of a TLS session; null for a plain one (tests). */
  ReadDeadline tlsDeadline() {
    return tls;
  }

  /** Takes a TLS session's deadline off the watchdog. Idempotent; the socket is not closed here. */
  public void close() {
    if (watched) {
      WriteWatchdog.unwatch(tls);
      watched = false;
    }
  }

  /** The reply needs another read: it may wait only the time left, and none once it is gone. */
  private void shorten() throws IOException {
    long left = deadline - nanoTime.getAsLong();
    if (left <= 0) {
      throw tooLate();
    }
    shortened = true;
    timeout.set((int) Math.max(1, (left + 999_999) / 1_000_000)); // 0 would be no timeout
  }

  /**
   * Sets the read timeout back to the whole reply's. Only a closed socket refuses it, and every
   * read of a closed socket fails: a session cannot be left without a timeout by it.
   */
  private void restore() {
    shortened = false;
    try {
      timeout.set(wholeMillis);
    } catch (SocketException e) {
      // the socket is closed: nothing more to bound
    }
  }

  /** Bytes received and not yet read as a reply (after STARTTLS's 220 there must be none). */
  public int buffered() {
    return limit - pos;
  }

  private static boolean digit(byte b) {
    return b >= '0' && b <= '9';
  }

  /** The server broke the protocol; the connection cannot be trusted any more. */
  public static final class ProtocolException extends IOException {
    public ProtocolException(String message) {
      super(message);
    }
  }
}
