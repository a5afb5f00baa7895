package dev.postbus.smtp.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads replies from the socket's stream through a buffer of its own: "250-first\r\n250 last\r\n"
 * is one reply. A reply split across TCP packets is read whole; a line without a valid code, a
 * continuation with another code, or a line longer than {@link #MAX_LINE} is a protocol error (an
 * {@link IOException}: the session cannot go on).
 */
public final class ReplyReader {

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
  private final byte[] line = new byte[MAX_LINE];
  private final byte[] buf = new byte[8192];
  private int pos;
  private int limit;

  public ReplyReader(InputStream in) {
    this.in = in;
  }

  public Reply read() throws IOException {
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
    int r = in.read(buf, 0, buf.length);
    if (r < 0) {
      throw new EOFException("the server closed the connection");
    }
    pos = 0;
    limit = r;
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
