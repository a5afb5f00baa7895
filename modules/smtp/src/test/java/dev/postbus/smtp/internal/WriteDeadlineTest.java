package dev.postbus.smtp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.smtp.SmtpConfig;
import dev.postbus.smtp.TlsMode;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The write deadline against the write's end: exactly one wins. The watchdog reads a passed
 * deadline, then calls {@code timedOut()}; a write that ends in between (the final flush) must keep
 * its socket, or a message handed over is taken as in doubt. The calls below are that interleaving,
 * on one thread.
 */
class WriteDeadlineTest {

  private static final SmtpConfig CONFIG =
      SmtpConfig.builder("127.0.0.1", 25, TlsMode.NONE).writeTimeout(Duration.ofMillis(1)).build();

  /** A peer that takes every byte and has nothing to say; closing it is seen. */
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

  private static void awaitPassed(SessionIo io) {
    long deadline = io.deadline();
    Awaitility.await("the write deadline passes")
        .atMost(Duration.ofSeconds(5))
        .until(() -> System.nanoTime() - deadline > 0);
  }

  @Test
  void aWriteThatEndedKeepsItsSocketWhenTheWatchdogComesLate() throws Exception {
    Socket raw = peer();
    SessionIo io = new SessionIo(raw, raw, new ReplyReader(raw, 60_000), CONFIG);
    try (SessionIo.Writing w = io.writing()) {
      awaitPassed(io); // the watchdog reads the passed deadline here
    } // the write ended
    io.timedOut(); // the watchdog, a moment late
    assertThat(raw.isClosed()).as("the socket of a write that ended").isFalse();
    assertThat(io.broken()).isFalse();
  }

  @Test
  void aWriteStillUnderWayWhenItsDeadlinePassesIsCut() throws Exception {
    Socket raw = peer();
    SessionIo io = new SessionIo(raw, raw, new ReplyReader(raw, 60_000), CONFIG);
    try (SessionIo.Writing w = io.writing()) {
      awaitPassed(io);
      io.timedOut();
      assertThat(raw.isClosed()).isTrue();
      assertThat(io.broken()).isTrue();
    }
    assertThat(io.broken()).as("a deadline that won stays won").isTrue();
  }
}
