package dev.postbus.smtp.internal;

import dev.postbus.smtp.SmtpConfig;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * The I/O of one session: the raw TCP socket and the socket commands go over (the same one, or TLS
 * on top of it), the buffered output, the reply reader, and the timeouts of each phase: a reply
 * must arrive whole within {@code smtp.read-timeout}, the reply to the end of a message within
 * {@code smtp.data-done-timeout} ({@link ReplyReader}), and a write may make no progress for {@code
 * smtp.write-timeout}.
 *
 * <p>The write timeout: a blocking write has none of its own, so every write arms a deadline
 * (re-armed for each {@link #SLICE} of a message, so it bounds inactivity, not the whole message)
 * inside a {@link #writing()} block, which disarms it when it ends. {@link WriteWatchdog} closes
 * the raw socket of a session whose deadline has passed: closing the TCP socket under TLS wakes the
 * stalled writer without taking the TLS record lock that writer holds. A compare-and-set decides
 * between the write's end and the deadline ({@link ReadDeadline}): a final flush that returns as
 * the deadline passes keeps its socket.
 */
final class SessionIo implements WriteWatchdog.Watched, AutoCloseable {

  /** A message is written in slices of this size, each with a fresh write deadline. */
  static final int SLICE = 64 * 1024;

  private static final byte[] CRLF = {'\r', '\n'};
  private static final int OUT_BUFFER = 64 * 1024;

  private final Socket raw;
  private final Socket socket;
  private final Counting handed;
  private final OutputStream out;
  private long given;
  private final ReplyReader in;
  private final int readTimeoutMillis;
  private final int dataDoneTimeoutMillis;
  private final long writeTimeoutNanos;
  private final Writing writing = this::disarm;
  private final ReadDeadline writeDeadline;
  private volatile boolean broken;
  private boolean closed; // on the owning thread

  /** Disarms the write deadline when the block of writes ends. */
  interface Writing extends AutoCloseable {
    @Override
    void close();
  }

  SessionIo(Socket raw, Socket socket, ReplyReader in, SmtpConfig config) throws IOException {
    this.raw = raw;
    this.socket = socket;
    this.handed = new Counting(socket.getOutputStream());
    this.out = new BufferedOutputStream(handed, OUT_BUFFER);
    this.in = in;
    this.readTimeoutMillis = millis(config.readTimeout().toMillis());
    this.dataDoneTimeoutMillis = millis(config.dataDoneTimeout().toMillis());
    this.writeTimeoutNanos = config.writeTimeout().toNanos();
    this.writeDeadline = new ReadDeadline(raw);
  }

  /**
   * Puts this session's writes under the write watchdog, once its session is built (never from this
   * constructor: a session that fails to build would stay watched); {@link #close} ends it.
   */
  void watch() {
    if (!closed) {
      WriteWatchdog.watch(this);
    }
  }

  private static int millis(long ms) {
    return (int) Math.min(Integer.MAX_VALUE, ms);
  }

  /** Arms the write deadline until the returned block is closed. */
  Writing writing() {
    arm();
    return writing;
  }

  void line(String line) throws IOException {
    arm();
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    out.write(bytes);
    out.write(CRLF);
    given += bytes.length + CRLF.length;
  }

  /** Writes bytes in slices, the deadline re-armed for each: a slow link is not a stalled one. */
  void write(byte[] b, int off, int len) throws IOException {
    int end = off + len;
    for (int at = off; at < end; at += SLICE) {
      arm();
      int n = Math.min(SLICE, end - at);
      out.write(b, at, n);
      given += n;
    }
  }

  /** How many bytes were given to {@link #line} and {@link #write} so far. */
  long given() {
    return given;
  }

  /**
   * Whether the first {@code bytes} bytes given were handed to the socket by writes that returned
   * normally (not merely buffered here): the peer may have them.
   */
  boolean handed(long bytes) {
    return handed.count >= bytes;
  }

  /**
   * Whether a write that reached past the first {@code bytes} bytes was attempted (and may have
   * failed part way): the peer may have those bytes.
   */
  boolean offeredPast(long bytes) {
    return handed.offered > bytes;
  }

  void flush() throws IOException {
    arm();
    out.flush();
  }

  /**
   * The next reply, waiting up to the read timeout. A read is never under the write deadline (a
   * long group reads its replies so far in the middle of its writes).
   */
  Reply read() throws IOException {
    disarm();
    return in.read();
  }

  /**
   * The deadline of a pipelined group's replies (written without a chunk, or the envelope written
   * ahead): together they must arrive within the data-done timeout from now, each within the read
   * timeout ({@link #readInGroup}).
   */
  long groupDue() {
    return System.nanoTime() + dataDoneTimeoutMillis * 1_000_000L;
  }

  /** One of a pipelined group's replies: within the read timeout, and by {@code due}. */
  Reply readInGroup(long due) throws IOException {
    disarm();
    return in.readInGroup(due);
  }

  /**
   * The reply to the end of a message, waiting up to the data-done timeout. A failure to restore
   * the read timeout afterwards never replaces the reply: it breaks the session (not reused).
   */
  Reply readEnd() throws IOException {
    disarm();
    socket.setSoTimeout(dataDoneTimeoutMillis);
    try {
      return in.read(dataDoneTimeoutMillis);
    } finally {
      restoreReadTimeout();
    }
  }

  /**
   * The deadline of the replies to a pipelined group written whole with its chunk (BDAT … LAST):
   * together they must arrive within the data-done timeout from now. Sets the socket's read timeout
   * to the data-done timeout until {@link #endRepliesRead}.
   */
  long endRepliesDue() throws IOException {
    disarm();
    socket.setSoTimeout(dataDoneTimeoutMillis);
    return System.nanoTime() + dataDoneTimeoutMillis * 1_000_000L;
  }

  /** One of the replies due by {@code due} ({@link #endRepliesDue}). */
  Reply readEnd(long due) throws IOException {
    return in.read(dataDoneTimeoutMillis, due);
  }

  /** The replies due together were read, or failed: the read timeout is restored. */
  void endRepliesRead() {
    restoreReadTimeout();
  }

  private void restoreReadTimeout() {
    try {
      socket.setSoTimeout(readTimeoutMillis);
    } catch (IOException e) {
      broken = true; // its read timeout is unknown now: the session is not reused
    }
  }

  /**
   * Whether something arrived while the session was idle (a relay's idle-timeout 421, say), or,
   * when {@code probe}, whether the relay hung up: a read of the raw socket that waits a
   * millisecond (under TLS it may eat a record; the session is dropped then anyway). Either way the
   * session must not be used again: what arrived cannot be the reply to a command not sent yet.
   */
  boolean unsolicited(boolean probe) {
    try {
      if (in.buffered() > 0 || raw.getInputStream().available() > 0) {
        return true;
      }
      return probe && hungUp();
    } catch (IOException e) {
      return true;
    }
  }

  private boolean hungUp() throws IOException {
    raw.setSoTimeout(1);
    try {
      raw.getInputStream().read(); // -1: the end of the stream; a byte: unsolicited
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } finally {
      raw.setSoTimeout(readTimeoutMillis);
    }
  }

  /** The bytes a pipelined group may hold before its replies are read (RFC 2920 3.1). */
  int groupLimit() {
    try {
      return Math.max(4 * 1024, Math.min(OUT_BUFFER, raw.getSendBufferSize()));
    } catch (IOException e) {
      return 4 * 1024;
    }
  }

  boolean broken() {
    return broken || writeDeadline.expired() || in.cut();
  }

  private void arm() {
    writeDeadline.arm(System.nanoTime() + writeTimeoutNanos);
  }

  private void disarm() {
    writeDeadline.disarm();
  }

  @Override
  public long deadline() {
    return writeDeadline.deadline();
  }

  /** {@link #close} ends the watch: a deadline that lost to the write's end stays watched. */
  @Override
  public boolean leavesOnTimeout() {
    return false;
  }

  /**
   * On the watchdog's thread: closes the raw socket only, never the TLS one (whose lock is held),
   * and only if the write under way did not end first (one compare-and-set decides).
   */
  @Override
  public void timedOut() {
    writeDeadline.timedOut();
  }

  /**
   * Closes the raw socket, then the TLS one over it, and ends the watchdog's watch. Once: a second
   * call does nothing. Never throws.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    broken = true;
    disarm();
    WriteWatchdog.unwatch(this);
    in.close();
    closeQuietly(raw);
    if (socket != raw) {
      closeQuietly(socket);
    }
  }

  /** Counts the bytes handed to the socket, and how far the write under way reaches. */
  private static final class Counting extends FilterOutputStream {
    private long count; // bytes of writes that returned normally
    private long offered; // where the last write attempted (the one that failed, if any) would end

    Counting(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      offered = count + 1;
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      offered = count + len;
      out.write(b, off, len);
      count += len;
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException | RuntimeException e) {
      // nothing more to do
    }
  }
}
