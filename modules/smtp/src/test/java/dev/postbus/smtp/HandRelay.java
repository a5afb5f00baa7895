package dev.postbus.smtp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A relay played by hand, one handler call per connection (each on its own thread): for the
 * misbehaviours {@link ScriptedServer} cannot script, such as a relay that stops reading in the
 * middle of a message under TLS, reads slowly, or says 421 on an idle connection.
 */
final class HandRelay implements AutoCloseable {

  interface Handler {
    void serve(Peer peer) throws Exception;
  }

  private final ServerSocket server;
  private final Handler handler;
  private final SSLContext implicitTls;
  private final CountDownLatch closed = new CountDownLatch(1);
  final List<String> commands = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

  /** {@code implicitTls}: null for a plain port, else the server's TLS context. */
  HandRelay(SSLContext implicitTls, int receiveBuffer, Handler handler) throws IOException {
    this.server = new ServerSocket();
    if (receiveBuffer > 0) {
      server.setReceiveBufferSize(receiveBuffer);
    }
    server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    this.handler = handler;
    this.implicitTls = implicitTls;
    Thread t = new Thread(this::accept, "hand-relay");
    t.setDaemon(true);
    t.start();
  }

  HandRelay(Handler handler) throws IOException {
    this(null, 0, handler);
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t =
            new Thread(
                () -> {
                  try (s) {
                    Peer p = new Peer(s);
                    if (implicitTls != null) {
                      p.startTls(implicitTls);
                    }
                    handler.serve(p);
                  } catch (Exception e) {
                    // the client went away
                  }
                },
                "hand-relay-peer");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  @Override
  public void close() throws IOException {
    closed.countDown();
    server.close();
  }

  /** One connection as the relay sees it. */
  final class Peer {
    private final Socket raw;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    Peer(Socket raw) throws IOException {
      this.raw = raw;
      raw.setTcpNoDelay(true);
      use(raw);
    }

    private void use(Socket s) throws IOException {
      this.socket = s;
      this.in = new BufferedInputStream(s.getInputStream());
      this.out = s.getOutputStream();
    }

    /** A small send buffer: the relay blocks on its replies as soon as the client stops reading. */
    void sendBuffer(int bytes) throws IOException {
      raw.setSendBufferSize(bytes);
    }

    void startTls(SSLContext context) throws IOException {
      SSLSocket ssl =
          (SSLSocket) context.getSocketFactory().createSocket(raw, null, raw.getPort(), true);
      ssl.setUseClientMode(false);
      ssl.startHandshake();
      use(ssl);
    }

    void reply(String lines) throws IOException {
      out.write((lines + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    /** The next command line, without CRLF; null at the end of the stream. */
    String line() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) >= 0) {
        if (c == '\n') {
          String l = b.toString(StandardCharsets.UTF_8);
          l = l.endsWith("\r") ? l.substring(0, l.length() - 1) : l;
          commands.add(l);
          return l;
        }
        b.write(c);
      }
      return null;
    }

    /** The next {@code count} bytes (a BDAT chunk); null at the end of the stream. */
    byte[] bytes(int count) throws IOException {
      byte[] b = in.readNBytes(count);
      return b.length == count ? b : null;
    }

    /** DATA content up to and without the final "."; null at the end of the stream. */
    byte[] data() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      long last = 0x0d0a;
      int c;
      while ((c = in.read()) >= 0) {
        b.write(c);
        last = (last << 8 | c) & 0xFFFFFFFFFFL;
        if (last == 0x0d0a2e0d0aL) {
          return java.util.Arrays.copyOf(b.toByteArray(), b.size() - 3);
        }
      }
      return null;
    }

    /**
     * Greets and answers EHLO with {@code extensions} (and STARTTLS with 220 when offered), every
     * other command with 250, until DATA (answered 354) or BDAT; returns that command.
     */
    String envelope(List<String> extensions, SSLContext startTls) throws Exception {
      reply("220 hand ESMTP");
      String line;
      while ((line = line()) != null) {
        String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line;
        switch (verb) {
          case "EHLO" -> {
            List<String> offered =
                socket instanceof SSLSocket || startTls == null
                    ? extensions
                    : java.util.stream.Stream.concat(
                            extensions.stream(), java.util.stream.Stream.of("STARTTLS"))
                        .toList();
            StringBuilder r = new StringBuilder("250");
            r.append(offered.isEmpty() ? " hand" : "-hand");
            for (int i = 0; i < offered.size(); i++) {
              r.append("\r\n250")
                  .append(i == offered.size() - 1 ? ' ' : '-')
                  .append(offered.get(i));
            }
            reply(r.toString());
          }
          case "STAR" -> {
            reply("220 go ahead");
            startTls(startTls);
          }
          case "DATA" -> {
            reply("354 go ahead");
            return line;
          }
          case "BDAT" -> {
            return line;
          }
          default -> reply("250 2.0.0 ok");
        }
      }
      return null;
    }

    /** DATA content like {@link #data}, read at most {@code slice} bytes per {@code pause}. */
    byte[] slowData(int slice, long pauseMillis) throws Exception {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      long last = 0x0d0a;
      int c;
      int n = 0;
      while ((c = in.read()) >= 0) {
        b.write(c);
        last = (last << 8 | c) & 0xFFFFFFFFFFL;
        if (last == 0x0d0a2e0d0aL) {
          return java.util.Arrays.copyOf(b.toByteArray(), b.size() - 3);
        }
        if (++n % slice == 0) {
          Thread.sleep(pauseMillis); // the link's pace, not a wait for a condition
        }
      }
      return null;
    }

    /**
     * Sends {@code bytes} one byte per {@code pauseMillis}, over and over, until the client hangs
     * up: a trickle that never lets one read of the client's wait its read timeout.
     */
    void drip(byte[] bytes, long pauseMillis) throws Exception {
      for (int i = 0; ; i = (i + 1) % bytes.length) {
        raw.getOutputStream()
            .write(bytes[i]); // under TLS too: the raw bytes, as the link paces them
        raw.getOutputStream().flush();
        Thread.sleep(pauseMillis); // the link's pace, not a wait for a condition
      }
    }

    /** Holds the connection open, reading nothing, until the relay is closed. */
    void hold() throws InterruptedException {
      closed.await(2, TimeUnit.MINUTES);
    }
  }
}
