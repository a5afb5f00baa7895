package dev.postbus.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.smtp.internal.SessionOpener;
import jakarta.mail.Address;
import jakarta.mail.internet.InternetAddress;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * An unexpected error while a connection opens (a bug of ours, not the relay's answer) fails that
 * send as a failed connection and leaves the connection able to open again: it used to stay
 * "connecting" for good, and every later send on it threw (each job in doubt).
 */
class ConnectionOpenErrorIT {

  @Test
  void anErrorWhileOpeningLeavesTheConnectionDisconnectedNotConnecting() throws Exception {
    try (ScriptedServer s = new ScriptedServer(List.of("PIPELINING"), false, ScriptedServer::ok)) {
      SmtpConfig config = ScriptedSends.config(s.port());
      AtomicBoolean failOnce = new AtomicBoolean(true);
      SessionOpener opener =
          new SessionOpener(
              config,
              host -> {
                if (failOnce.getAndSet(false)) {
                  throw new ExceptionInInitializerError("a class of ours failed to load");
                }
                return new InetAddress[] {InetAddress.getLoopbackAddress()};
              });
      Address[] to = {new InternetAddress("someone@example.org")};
      try (SmtpConnection c =
          new SmtpConnection(
              config, new RelayOffer("127.0.0.1:" + s.port()), Clock.systemUTC(), "t", opener)) {
        assertThatThrownBy(() -> c.send(ScriptedSends.message("one"), to))
            .isInstanceOf(ExceptionInInitializerError.class);
        assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);
        assertThat(c.send(ScriptedSends.message("two"), to))
            .isInstanceOf(SendOutcome.Delivered.class);
      }
    }
  }

  @Test
  void anUnexpectedErrorWhileOpeningFailsThatSendOnlyAndTheNextOneOpensAfresh() throws Exception {
    try (ScriptedServer s = new ScriptedServer(List.of("PIPELINING"), false, ScriptedServer::ok)) {
      SmtpConfig config = ScriptedSends.config(s.port());
      AtomicBoolean failOnce = new AtomicBoolean(true);
      SessionOpener opener =
          new SessionOpener(
              config,
              host -> {
                if (failOnce.getAndSet(false)) {
                  throw new IllegalArgumentException("a bug of ours while resolving");
                }
                return new InetAddress[] {InetAddress.getLoopbackAddress()};
              });
      Address[] to = {new InternetAddress("someone@example.org")};
      try (SmtpConnection c =
          new SmtpConnection(
              config, new RelayOffer("127.0.0.1:" + s.port()), Clock.systemUTC(), "t", opener)) {
        SendOutcome first = c.send(ScriptedSends.message("one"), to);
        assertThat(first)
            .isInstanceOfSatisfying(
                SendOutcome.ConnectFailed.class,
                f -> assertThat(f.problem()).contains("unexpected error"));
        assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);

        SendOutcome second = c.send(ScriptedSends.message("two"), to);
        assertThat(second).isInstanceOf(SendOutcome.Delivered.class);
        assertThat(s.messages).hasSize(1);
      }
    }
  }
}
