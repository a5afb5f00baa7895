package dev.postbus.smtp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpConfig;
import dev.postbus.smtp.TlsMode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lost or in doubt at the end of DATA: a peer that stops reading before the final "." could be
 * taken leaves the relay without the whole message (lost); one that stops after it (while the next
 * envelope, written ahead, goes out) may have the message (in doubt).
 */
class EndOfDataPhaseTest {

  /**
   * A peer that takes bytes until {@code stallAfterEnd} says to stop (before the final "." is
   * complete, or after it), then reads nothing more until the socket is closed (by the write
   * watchdog). Its replies are scripted.
   */
  private static class StallingPeer extends Socket {
    private final boolean stallAfterEnd;
    private final boolean failAtOnce;
    private final byte[] replies;
    private final CountDownLatch closed = new CountDownLatch(1);
    private boolean stalled;
    private long last; // the last five bytes offered, the newest lowest

    StallingPeer(boolean stallAfterEnd, String replies) {
      this(stallAfterEnd, false, replies);
    }

    /**
     * {@code failAtOnce}: the write fails at once (a reset) instead of when the socket is closed.
     */
    StallingPeer(boolean stallAfterEnd, boolean failAtOnce, String replies) {
      this.stallAfterEnd = stallAfterEnd;
      this.failAtOnce = failAtOnce;
      this.replies = replies.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public InputStream getInputStream() {
      return new ByteArrayInputStream(replies);
    }

    @Override
    public OutputStream getOutputStream() {
      return new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          take((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          for (int i = off; i < off + len; i++) {
            take(b[i]);
          }
        }
      };
    }

    private synchronized void take(byte b) throws IOException {
      boolean completesEnd = endsWithEnd(b);
      if (stalled || completesEnd && !stallAfterEnd) {
        stall();
      }
      stalled = completesEnd && stallAfterEnd;
    }

    private boolean endsWithEnd(byte b) {
      last = last << 8 | (b & 0xff);
      return (last & 0xff_ffff_ffffL) == 0x0d0a2e0d0aL;
    }

    private void stall() throws IOException {
      if (failAtOnce) {
        throw new SocketException("Connection reset");
      }
      try {
        closed.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new SocketException("Socket closed");
    }

    @Override
    public void close() {
      closed.countDown();
    }

    @Override
    public void setSoTimeout(int timeout) {}

    @Override
    public int getSendBufferSize() {
      return 64 * 1024;
    }
  }

  /** A message of exactly {@code length} bytes, in lines of at most 72 bytes, none starting "." */
  private static byte[] mime(int length) {
    StringBuilder m = new StringBuilder("Subject: x\r\n\r\n");
    while (m.length() < length) {
      int line = Math.min(72, length - m.length());
      m.append("x".repeat(Math.max(0, line - 2))).append("\r\n".substring(0, Math.min(2, line)));
    }
    return m.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static SendOutcome send(StallingPeer peer, List<String> ehlo) throws IOException {
    return send(peer, ehlo, mime(100), true);
  }

  private static SendOutcome send(StallingPeer peer, List<String> ehlo, byte[] mime)
      throws IOException {
    return send(peer, ehlo, mime, true);
  }

  private static SendOutcome send(
      StallingPeer peer, List<String> ehlo, byte[] mime, boolean nextEnvelope) throws IOException {
    SmtpConfig config =
        SmtpConfig.builder("127.0.0.1", 25, TlsMode.NONE)
            .writeTimeout(Duration.ofMillis(300))
            .build();
    SessionIo io = new SessionIo(peer, peer, new ReplyReader(peer, 60_000), config);
    try {
      SmtpSession session = new SmtpSession(io, Extensions.parse(ehlo), config);
      return session.send(
          "a@example.com",
          new String[] {"b@example.net"},
          mime,
          mime.length,
          () -> {},
          nextEnvelope ? "c@example.com" : null,
          nextEnvelope ? new String[] {"d@example.net"} : null);
    } finally {
      io.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lock-step", "PIPELINING"})
  void aPeerThatStopsReadingBeforeTheEndIsWrittenLosesTheMessage(String mode) throws Exception {
    List<String> ehlo =
        mode.equals("PIPELINING")
            ? List.of("hand", "PIPELINING", "8BITMIME")
            : List.of("hand", "8BITMIME");
    // No next envelope: a failing write that ends with the "." cannot have delivered it. (With an
    // envelope ahead in the same write, the "." may have gone: in doubt, the test below.)
    SendOutcome o =
        send(new StallingPeer(false, "250 ok\r\n250 ok\r\n354 go\r\n"), ehlo, mime(100), false);
    assertThat(o).isInstanceOf(SendOutcome.ConnectionLost.class);
  }

  @Test
  void aPeerThatStopsReadingOnlyAfterTheEndWentOutLeavesTheMessageInDoubt() throws Exception {
    // The message nearly fills the session's 64 KiB buffer: the envelope written ahead overflows
    // it, so the "." goes out in a write of its own, and only the envelope's write stalls.
    SendOutcome o =
        send(
            new StallingPeer(true, "250 ok\r\n250 ok\r\n354 go\r\n"),
            List.of("hand", "PIPELINING", "8BITMIME"),
            mime(64 * 1024 - 40));
    assertThat(o).isInstanceOf(SendOutcome.InDoubt.class);
  }

  @Test
  void aPeerThatStopsReadingAfterTheEndInTheWriteThatAlsoCarriesTheNextEnvelopeLeavesItInDoubt()
      throws Exception {
    // A small message: its "." and the envelope written ahead go out in one write, which fails
    // after the peer took the "." (the write cannot say how much of it the kernel had taken).
    SendOutcome o =
        send(
            new StallingPeer(true, "250 ok\r\n250 ok\r\n354 go\r\n"),
            List.of("hand", "PIPELINING", "8BITMIME"));
    assertThat(o).isInstanceOf(SendOutcome.InDoubt.class);
  }

  @Test
  void aWriteThatCarriesTheEndAndFailsInTheNextEnvelopeIsInDoubtWhereverTheBufferSplitsIt()
      throws Exception {
    // Wherever the 64 KiB buffer fills (inside the MAIL line written ahead, or between its bytes
    // and its CRLF), the failing write carries the "." the peer took: in doubt, never lost.
    for (int length = 64 * 1024 - 160; length < 64 * 1024 - 16; length++) {
      SendOutcome o =
          send(
              new StallingPeer(true, true, "250 ok\r\n250 ok\r\n354 go\r\n"),
              List.of("hand", "PIPELINING", "8BITMIME"),
              mime(length));
      assertThat(o).as("a message of %d bytes", length).isInstanceOf(SendOutcome.InDoubt.class);
    }
  }

  @Test
  void aSessionTheWatchdogBrokeBeforeTheEndLeftTheBufferLosesTheMessage() throws Exception {
    // The body's first 64 KiB go to the socket directly; as that write returns, the watchdog has
    // fired. The rest, the "." and the envelope ahead stay in the buffer: the relay cannot have it.
    // The watchdog acts only on a deadline that passed: the write waits for it to pass (50 ms).
    SmtpConfig config =
        SmtpConfig.builder("127.0.0.1", 25, TlsMode.NONE)
            .writeTimeout(Duration.ofMillis(50))
            .build();
    SessionIo[] io = new SessionIo[1];
    StallingPeer peer =
        new StallingPeer(false, "250 ok\r\n250 ok\r\n354 go\r\n") {
          private long taken;

          @Override
          public OutputStream getOutputStream() {
            return new OutputStream() {
              @Override
              public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
              }

              @Override
              public void write(byte[] b, int off, int len) {
                taken += len;
                if (taken >= SessionIo.SLICE) {
                  long deadline = io[0].deadline();
                  Awaitility.await("the write deadline passes")
                      .atMost(Duration.ofSeconds(5))
                      .until(() -> System.nanoTime() - deadline > 0);
                  io[0].timedOut();
                }
              }
            };
          }
        };
    io[0] = new SessionIo(peer, peer, new ReplyReader(peer, 60_000), config);
    try {
      byte[] mime = mime(SessionIo.SLICE + 200);
      SendOutcome o =
          new SmtpSession(
                  io[0], Extensions.parse(List.of("hand", "PIPELINING", "8BITMIME")), config)
              .send(
                  "a@example.com",
                  new String[] {"b@example.net"},
                  mime,
                  mime.length,
                  () -> {},
                  "c@example.com",
                  new String[] {"d@example.net"});
      assertThat(o).isInstanceOf(SendOutcome.ConnectionLost.class);
    } finally {
      io[0].close();
    }
  }
}
