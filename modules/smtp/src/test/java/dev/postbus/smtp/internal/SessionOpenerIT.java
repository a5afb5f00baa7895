package dev.postbus.smtp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.smtp.Certificates;
import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpConfig;
import dev.postbus.smtp.TlsMode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The last reply of opening a TLS session arrives whole just as its deadline closes the TCP socket
 * (the watchdog's compare-and-set wins as the read ends): the reply stands, but the session is cut,
 * so opening fails as a failed connection, which takes a slow relay out. It used to return the
 * session, and MAIL's write failed as a lost connection.
 */
class SessionOpenerIT {

  @TempDir Path dir;

  @Test
  void aSessionCutAsItsLastOpeningReplyArrivesIsAFailedConnection() throws Exception {
    Certificates certs = Certificates.selfSigned(dir, "localhost");
    try (ServerSocket server =
        certs.serverContext().getServerSocketFactory().createServerSocket()) {
      ((SSLServerSocket) server).setUseClientMode(false);
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Thread relay = new Thread(() -> serve(server), "tls-relay");
      relay.setDaemon(true);
      relay.start();
      SmtpConfig config =
          SmtpConfig.builder("127.0.0.1", server.getLocalPort(), TlsMode.IMPLICIT)
              .verifyCertificates(false)
              .build();
      SessionOpener opener =
          new SessionOpener(
              config,
              host -> new InetAddress[] {InetAddress.getLoopbackAddress()},
              Socket::new,
              SessionOpenerIT::deadlineWins);
      assertThatThrownBy(opener::open)
          .isInstanceOfSatisfying(
              SessionOpener.OpenFailed.class,
              e ->
                  assertThat(e.outcome())
                      .isInstanceOfSatisfying(
                          SendOutcome.ConnectFailed.class,
                          f -> assertThat(f.problem()).contains("did not arrive whole within")));
    }
  }

  /** What the watchdog does when a reply's deadline passes as its read ends. */
  private static void deadlineWins(ReplyReader in) {
    ReadDeadline deadline = in.tlsDeadline();
    if (deadline == null) {
      return; // a plain session's reply (before STARTTLS): no deadline of its own
    }
    deadline.arm(System.nanoTime() - 1_000_000);
    deadline.timedOut();
  }

  /** Greets, answers EHLO, then reads until the client goes. */
  private static void serve(ServerSocket server) {
    try (Socket s = server.accept()) {
      OutputStream out = s.getOutputStream();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      out.write("220 tls ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      in.readLine(); // EHLO
      out.write("250 tls\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      while (in.readLine() != null) {
        // until the client goes
      }
    } catch (Exception e) {
      // the client went away
    }
  }
}
