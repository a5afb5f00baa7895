package dev.postbus.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Our SMTP sink for benchmarks: accepts and discards every message, counting them. It offers what a
 * modern relay offers (PIPELINING, CHUNKING, 8BITMIME, SIZE) and, like Postfix's smtpd, answers
 * pipelined commands in order and writes its replies out when it has read everything the client
 * sent. Optionally it waits {@code dataDelay} before answering the end of a message (a relay's
 * processing time) and {@code rtt} before answering MAIL, RCPT and the end of a message (each reply
 * delayed in turn: no client can beat that). One thread per connection.
 */
final class BenchSink implements AutoCloseable {

  private static final byte[] EHLO =
      ("250-postbus-bench-sink\r\n250-PIPELINING\r\n250-CHUNKING\r\n250-8BITMIME\r\n"
              + "250-SIZE 104857600\r\n250 ENHANCEDSTATUSCODES\r\n")
          .getBytes(StandardCharsets.US_ASCII);

  private final ServerSocket server;
  private final AtomicLong messages = new AtomicLong();
  private final long dataDelayNanos;
  private final long rttNanos;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();

  BenchSink(Duration dataDelay, Duration rtt) throws IOException {
    this.dataDelayNanos = dataDelay.toNanos();
    this.rttNanos = rtt.toNanos();
    this.server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "bench-sink-accept");
    accept.setDaemon(true);
    accept.start();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        s.setTcpNoDelay(true);
        open.add(s);
        Thread t = new Thread(() -> serve(s), "bench-sink-session");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      new Session(socket.getInputStream(), new BufferedOutputStream(socket.getOutputStream(), 8192))
          .run();
    } catch (IOException e) {
      // the client went away
    } finally {
      open.remove(socket);
    }
  }

  /**
   * One client: reads commands in order, replies in order, flushes when the client has nothing more
   * in flight.
   */
  private final class Session {
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;

    Session(InputStream in, OutputStream out) {
      this.in = in;
      this.out = out;
    }

    void run() throws IOException {
      reply("220 postbus-bench-sink ESMTP");
      while (true) {
        String line = line();
        if (line == null) {
          return;
        }
        String verb = (line.length() >= 4 ? line.substring(0, 4) : line).toUpperCase(Locale.ROOT);
        switch (verb) {
          case "EHLO" -> out.write(EHLO);
          case "HELO", "RSET", "NOOP" -> reply("250 2.0.0 Ok");
          case "MAIL" -> {
            pause(rttNanos);
            reply("250 2.1.0 Ok");
          }
          case "RCPT" -> {
            pause(rttNanos);
            reply("250 2.1.5 Ok");
          }
          case "DATA" -> {
            reply("354 End data with <CR><LF>.<CR><LF>");
            if (!skipData()) {
              return;
            }
            delivered();
          }
          case "BDAT" -> {
            String[] words = line.trim().split(" +");
            if (!skip(Long.parseLong(words[1]))) {
              return;
            }
            if (words.length > 2 && words[2].equalsIgnoreCase("LAST")) {
              delivered();
            } else {
              reply("250 2.0.0 chunk Ok");
            }
          }
          case "QUIT" -> {
            reply("221 2.0.0 Bye");
            out.flush();
            return;
          }
          default -> reply("500 5.5.2 unknown command");
        }
      }
    }

    private void delivered() throws IOException {
      pause(dataDelayNanos + rttNanos);
      messages.incrementAndGet();
      reply("250 2.0.0 Ok: queued");
    }

    private void reply(String line) throws IOException {
      out.write(line.getBytes(StandardCharsets.US_ASCII));
      out.write('\r');
      out.write('\n');
    }

    /** Before waiting for more input, send every reply so far (the client may wait for them). */
    private boolean fill() throws IOException {
      if (pos < limit) {
        return true;
      }
      out.flush();
      int n = in.read(buf, 0, buf.length);
      if (n < 0) {
        return false;
      }
      pos = 0;
      limit = n;
      return true;
    }

    private String line() throws IOException {
      StringBuilder sb = new StringBuilder(64);
      while (true) {
        if (!fill()) {
          return null;
        }
        byte b = buf[pos++];
        if (b == '\n') {
          int len = sb.length();
          return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
        }
        sb.append((char) (b & 0xFF));
      }
    }

    /**
     * Reads DATA content up to and including CRLF.CRLF (the command's own CRLF starts the first
     * line).
     */
    private boolean skipData() throws IOException {
      int state = 2; // 0 mid-line, 1 CR, 2 line start, 3 "." at line start, 4 ".\r"
      while (true) {
        if (!fill()) {
          return false;
        }
        byte b = buf[pos++];
        state =
            switch (state) {
              case 0 -> b == '\r' ? 1 : 0;
              case 1 -> b == '\n' ? 2 : b == '\r' ? 1 : 0;
              case 2 -> b == '.' ? 3 : b == '\r' ? 1 : 0;
              case 3 -> b == '\r' ? 4 : 0;
              default -> b == '\n' ? -1 : b == '\r' ? 1 : 0;
            };
        if (state < 0) {
          return true;
        }
      }
    }

    private boolean skip(long n) throws IOException {
      while (n > 0) {
        if (!fill()) {
          return false;
        }
        int take = (int) Math.min(n, limit - pos);
        pos += take;
        n -= take;
      }
      return true;
    }
  }

  private static void pause(long nanos) {
    if (nanos > 0) {
      LockSupport.parkNanos(nanos);
    }
  }

  int port() {
    return server.getLocalPort();
  }

  long messages() {
    return messages.get();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : open) {
      s.close();
    }
  }
}
