package dev.postbus.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * One HTTP/1.1 connection that posts request after request (keep-alive, as SNS does), each written
 * from bytes made before the clock starts, and reads each answer's status (its body, of a
 * Content-Length or chunked, read and dropped). Opens the connection again when the server closes
 * it: after an answer that says so, or silently (then the request is sent once more on a new
 * connection). A receiver that does not answer within the read timeout, or closes the new
 * connection too, leaves that request {@link #NOT_ANSWERED}. A load generator that costs the
 * process it shares little: the JDK's HttpClient spent about half as much CPU as the receiver it
 * loaded.
 */
final class KeepAliveClient implements AutoCloseable {

  private final URI uri;
  private final int timeoutMillis;
  private Socket socket;
  private OutputStream out;
  private InputStream in;

  /** What {@link #send} returns when the receiver did not answer. */
  static final int NOT_ANSWERED = -1;

  KeepAliveClient(URI uri) {
    this(uri, Duration.ofSeconds(30));
  }

  KeepAliveClient(URI uri, Duration readTimeout) {
    this.uri = uri;
    this.timeoutMillis = Math.toIntExact(readTimeout.toMillis());
  }

  /** A complete POST of {@code body} to {@code uri} with the given extra header lines. */
  static byte[] post(URI uri, String headers, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "POST "
            + uri.getRawPath()
            + " HTTP/1.1\r\nHost: "
            + uri.getHost()
            + ":"
            + uri.getPort()
            + "\r\n"
            + headers
            + "Content-Length: "
            + b.length
            + "\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[h.length + b.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(b, 0, all, h.length, b.length);
    return all;
  }

  /**
   * Sends one request made by {@link #post}; returns the answer's status code, or {@link
   * #NOT_ANSWERED}.
   */
  int send(byte[] request) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return exchange(request);
      } catch (SocketTimeoutException e) {
        close(); // the receiver did not answer in time: not sent again
        return NOT_ANSWERED;
      } catch (IOException e) {
        close(); // closed silently (an idle keep-alive connection ended): once more, anew
        if (attempt == 2) {
          return NOT_ANSWERED;
        }
      }
    }
  }

  private int exchange(byte[] request) throws IOException {
    if (socket == null) {
      socket = new Socket();
      socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      socket.setTcpNoDelay(true);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 8192);
    }
    out.write(request);
    out.flush();
    String status = line();
    long length = -1;
    boolean chunked = false;
    boolean close = false;
    for (String h = line(); !h.isEmpty(); h = line()) {
      String lower = h.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(lower.substring(15).strip());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      } else if (lower.startsWith("connection:") && lower.contains("close")) {
        close = true;
      }
    }
    if (chunked) {
      for (long n = Long.parseLong(line().split(";")[0].strip(), 16); n > 0; ) {
        skip(n);
        line();
        n = Long.parseLong(line().split(";")[0].strip(), 16);
      }
      line();
    } else if (length > 0) {
      skip(length);
    }
    if (close || length < 0 && !chunked) {
      close();
    }
    return Integer.parseInt(status.split(" ", 3)[1]);
  }

  private void skip(long n) throws IOException {
    in.skipNBytes(n); // EOFException when the connection ends first
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(64);
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("the server closed the connection");
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    if (socket != null) {
      socket.close();
      socket = null;
    }
  }
}
