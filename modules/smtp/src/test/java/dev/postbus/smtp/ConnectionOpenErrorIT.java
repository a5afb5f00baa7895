package dev.postbus.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.smtp.internal.SessionOpener;
import jakarta.mail.Address;
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

  private static final Address[] TO = ScriptedSends.someone();

  @Test
  void anErrorWhileOpeningLeavesTheConnectionDisconnectedNotConnecting() throws Exception {
    try (ScriptedServer s = new ScriptedServer(List.of("PIPELINING"), false, ScriptedServer::ok);
        SmtpConnection c =
            failingOnce(s, new ExceptionInInitializerError("a class of ours failed to load"))) {
      assertThatThrownBy(() -> c.send(ScriptedSends.message("one"), TO))
          .isInstanceOf(ExceptionInInitializerError.class);
      assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);
      assertThat(c.send(ScriptedSends.message("two"), TO))
          .isInstanceOf(SendOutcome.Delivered.class);
    }
  }

  @Test
  void anUnexpectedErrorWhileOpeningFailsThatSendOnlyAndTheNextOneOpensAfresh() throws Exception {
    try (ScriptedServer s = new ScriptedServer(List.of("PIPELINING"), false, ScriptedServer::ok);
        SmtpConnection c =
            failingOnce(s, new IllegalArgumentException("a bug of ours while resolving"))) {
      SendOutcome first = c.send(ScriptedSends.message("one"), TO);
      assertThat(first)
          .isInstanceOfSatisfying(
              SendOutcome.ConnectFailed.class,
              f -> assertThat(f.problem()).contains("unexpected error"));
      assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);

      SendOutcome second = c.send(ScriptedSends.message("two"), TO);
      assertThat(second).isInstanceOf(SendOutcome.Delivered.class);
      assertThat(s.messages).hasSize(1);
    }
  }

  @Test
  void anUnexpectedErrorWhileOpeningIsLoggedWithoutItsMessage() throws Exception {
    List<String> lines;
    try (dev.postbus.testkit.LogLines logs =
            dev.postbus.testkit.LogLines.capture("dev.postbus.smtp");
        ScriptedServer s = new ScriptedServer(List.of("PIPELINING"), false, ScriptedServer::ok);
        SmtpConnection c =
            failingOnce(s, new IllegalStateException("no route to <someone@example.org>"))) {
      assertThat(c.send(ScriptedSends.message("one"), TO))
          .isInstanceOf(SendOutcome.ConnectFailed.class);
      lines = logs.lines();
    }
    assertThat(lines)
        .as("the error is logged, by its class and frames")
        .anySatisfy(l -> assertThat(l).contains("IllegalStateException"));
    assertThat(lines).noneSatisfy(l -> assertThat(l).contains("someone@example.org"));
  }

  /** A connection to {@code s} whose first opening throws {@code error} (while resolving). */
  private static SmtpConnection failingOnce(ScriptedServer s, Throwable error) {
    SmtpConfig config = ScriptedSends.config(s.port());
    AtomicBoolean failOnce = new AtomicBoolean(true);
    SessionOpener opener =
        new SessionOpener(
            config,
            host -> {
              if (failOnce.getAndSet(false)) {
                if (error instanceof Error e) {
                  throw e;
                }
                throw (RuntimeException) error;
              }
              return new InetAddress[] {InetAddress.getLoopbackAddress()};
            });
    return new SmtpConnection(
        config, new RelayOffer("127.0.0.1:" + s.port()), Clock.systemUTC(), "t", opener);
  }
}
