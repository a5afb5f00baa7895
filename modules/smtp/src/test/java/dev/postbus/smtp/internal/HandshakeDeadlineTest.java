package dev.postbus.smtp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The handshake's deadline against its end: exactly one wins. The watchdog takes a passed deadline
 * out of its set, then calls {@code timedOut()}; a handshake that ends in between must keep its
 * socket (the calls below are that interleaving, on one thread: no watchdog, no waiting).
 */
class HandshakeDeadlineTest {

  private static final long PASSED = 1; // ns: the deadline has passed by the time it is checked

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
    handshake.timedOut();
    assertThat(plain.isClosed()).isTrue();
    assertThatThrownBy(handshake::end)
        .isInstanceOf(SocketTimeoutException.class)
        .hasMessageContaining("the TLS handshake did not end within");
  }
}
