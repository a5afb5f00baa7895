package dev.postbus.smtp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.smtp.SmtpConfig;
import dev.postbus.smtp.TlsMode;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A session's I/O is with the write watchdog from the moment its session is built until the session
 * is closed (the watch ended once), and not otherwise: one whose session failed to build used to
 * stay registered for good (the watchdog holding it, and able to act on its dead socket).
 */
class WatchdogRegistrationTest {

  private static final SmtpConfig CONFIG =
      SmtpConfig.builder("127.0.0.1", 25, TlsMode.NONE).build();

  /** A peer that takes every byte and has nothing to say. */
  private static Socket peer() {
    return new Socket() {
      @Override
      public InputStream getInputStream() {
        return new ByteArrayInputStream(new byte[0]);
      }

      @Override
      public OutputStream getOutputStream() {
        return OutputStream.nullOutputStream();
      }
    };
  }

  private static SessionIo io(Socket peer) throws Exception {
    return new SessionIo(peer, peer, new ReplyReader(peer, 60_000), CONFIG);
  }

  @Test
  void anIoWhoseSessionFailedToBuildIsNotWithTheWatchdog() throws Exception {
    SessionIo io = io(peer());
    // a stand-in for any error while the session is built (a bug of ours)
    assertThatThrownBy(() -> new SmtpSession(io, null, CONFIG))
        .isInstanceOf(NullPointerException.class);
    assertThat(WriteWatchdog.watching(io)).isFalse();
  }

  @Test
  void aSessionIsWithTheWatchdogFromBuiltUntilClosed() throws Exception {
    SessionIo io = io(peer());
    SmtpSession session = new SmtpSession(io, Extensions.parse(List.of("PIPELINING")), CONFIG);
    assertThat(WriteWatchdog.watching(io)).isTrue();
    session.abort();
    assertThat(WriteWatchdog.watching(io)).isFalse();
  }

  @Test
  void closingASessionAgainEndsNoWatchOfItsIo() throws Exception {
    SessionIo io = io(peer());
    SmtpSession session = new SmtpSession(io, Extensions.parse(List.of("PIPELINING")), CONFIG);
    session.abort();
    WriteWatchdog.watch(io); // a watch the first close did not end: a second close must not end it
    try {
      session.abort();
      io.close();
      assertThat(WriteWatchdog.watching(io))
          .as("the watch ended once, by the first close")
          .isTrue();
    } finally {
      WriteWatchdog.unwatch(io);
    }
  }

  /**
   * A pooled session may send many messages without a new watch: each send starts the watchdog's
   * thread again when none runs (one that died, or ended by a restart).
   */
  @Test
  void aSendOnASessionBuiltBeforeTheWatchdogStoppedStartsItAgain() throws Exception {
    SessionIo io = io(peer());
    SmtpSession session = new SmtpSession(io, Extensions.parse(List.of("PIPELINING")), CONFIG);
    try {
      WriteWatchdog.restart(WriteWatchdog.THREADS); // no thread in place until the next start
      assertThat(WriteWatchdog.running()).as("a thread in place after the restart").isFalse();

      byte[] mime = "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII);
      session.send(
          "a@example.com", new String[] {"b@example.net"}, mime, mime.length, () -> {}, null, null);

      assertThat(WriteWatchdog.running()).as("a thread in place after a send").isTrue();
    } finally {
      session.abort();
    }
  }
}
