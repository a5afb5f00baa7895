package dev.postbus.worker.delivery;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A relay offering PIPELINING and not CHUNKING (so a lane writes the next envelope ahead, after a
 * message's final dot), answering each command in order. It answers the second final dot (the first
 * has taught the lane what the relay offers) only once {@link #answerSecondDot} is counted down,
 * and counts messages and connections the client closed.
 */
final class PipeliningRelay implements AutoCloseable {

  final ServerSocket server = new ServerSocket(0);
  final AtomicInteger messages = new AtomicInteger();
  final AtomicInteger closedByClient = new AtomicInteger();
  final CountDownLatch answerSecondDot = new CountDownLatch(1);

  PipeliningRelay() throws IOException {
    Thread t = new Thread(this::accept, "pipelining-relay");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    try {
      while (true) {
        Socket s = server.accept();
        Thread t = new Thread(() -> serve(s), "pipelining-relay-conn");
        t.setDaemon(true);
        t.start();
      }
    } catch (IOException closed) {
      // the test is over
    }
  }

  private void serve(Socket s) {
    try (s) {
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      OutputStream out = s.getOutputStream();
      write(out, "220 relay ESMTP");
      boolean data = false;
      String line;
      while ((line = in.readLine()) != null) {
        if (data) {
          if (line.equals(".")) {
            data = false;
            if (messages.incrementAndGet() == 2) {
              answerSecondDot.await(30, TimeUnit.SECONDS);
            }
            write(out, "250 2.0.0 queued");
          }
        } else if (line.startsWith("EHLO")) {
          write(out, "250-relay\r\n250-PIPELINING\r\n250 8BITMIME");
        } else if (line.startsWith("DATA")) {
          data = true;
          write(out, "354 go on");
        } else if (line.startsWith("QUIT")) {
          write(out, "221 bye");
          return;
        } else {
          write(out, "250 ok");
        }
      }
      closedByClient.incrementAndGet();
    } catch (IOException | InterruptedException gone) {
      closedByClient.incrementAndGet();
    }
  }

  private static void write(OutputStream out, String reply) throws IOException {
    out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
