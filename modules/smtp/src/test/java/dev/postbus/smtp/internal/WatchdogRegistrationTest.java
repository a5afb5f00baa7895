package dev.postbus.smtp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.smtp.SmtpConfig;
import dev.postbus.smtp.TlsMode;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
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
}
