package dev.postbus.smtp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Socket;
import java.net.SocketTimeoutException;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

/**
 * The handshake's deadline against its end: exactly one wins. The watchdog takes a passed deadline
 * out of its set, then calls {@code timedOut()}; a handshake that ends in between must keep its
 * socket (the calls below are that interleaving, on one thread: no watchdog, no waiting).
 */
class HandshakeDeadlineTest {

  private static final long PASSED = 1; // ns: the deadline has passed by the time it is checked
  private static final long IN_A_MINUTE = 60_000_000_000L; // ns: the watchdog will not act

  @Test
  void aHandshakeThatEndedKeepsItsSocketWhenTheWatchdogComesLate() throws Exception {
    Socket plain = new Socket();
    Tls.Handshake handshake = new Tls.Handshake(plain, PASSED);
    handshake.end(); // done, just as the deadline passed
    handshake.timedOut(); // the watchdog, a moment late
    assertThat(plain.isClosed()).as("the socket of a handshake that succeeded").isFalse();
  }

  @Test
  void aHandshakeCutByItsDeadlineEndsInTheTimeout() {
    Socket plain = new Socket();
    Tls.Handshake handshake = new Tls.Handshake(plain, PASSED);
    assertThatThrownBy(
            () ->
                handshake.run(
                    () -> {
                      handshake.timedOut(); // the watchdog, while the handshake reads
                      throw new SSLException("Connection reset"); // the closed socket
                    }))
        .isInstanceOf(SocketTimeoutException.class)
        .hasMessageContaining("the TLS handshake did not end within");
    assertThat(plain.isClosed()).isTrue();
    assertThat(WriteWatchdog.watching(handshake)).isFalse();
  }

  /**
   * A provider failure (a DH key pair that cannot be made, say) is not an IOException: it passes
   * unchanged, and the handshake leaves the watchdog all the same (it stayed watched for good, its
   * socket with it).
   */
  @Test
  void aHandshakeThatFailsWithARuntimeExceptionLeavesTheWatchdog() {
    Socket plain = new Socket();
    Tls.Handshake handshake = new Tls.Handshake(plain, IN_A_MINUTE);
    IllegalStateException failure = new IllegalStateException("no DH key pair");
    assertThatThrownBy(
            () ->
                handshake.run(
                    () -> {
                      throw failure;
                    }))
        .isSameAs(failure);
    assertThat(WriteWatchdog.watching(handshake)).as("the failed handshake is watched").isFalse();
    assertThat(plain.isClosed()).isFalse();
  }
}
