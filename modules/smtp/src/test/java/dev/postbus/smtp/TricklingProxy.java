package dev.postbus.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP proxy in front of a relay, below TLS (a TLS-terminating load balancer, a slow link): it
 * passes bytes both ways as they come until {@link #trickle} is called, then passes the relay's
 * bytes one every {@code pauseMillis}.
 */
final class TricklingProxy implements AutoCloseable {

  private final ServerSocket server;
  private final int relayPort;
  private final long pauseMillis;
  private volatile boolean trickling;

  TricklingProxy(int relayPort, long pauseMillis) throws IOException {
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    this.relayPort = relayPort;
    this.pauseMillis = pauseMillis;
    daemon(this::accept, "trickling-proxy");
  }

  int port() {
    return server.getLocalPort();
  }

  /** From now on the relay's bytes pass one at a time, one per pause. */
  void trickle() {
    trickling = true;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket relay = new Socket(InetAddress.getLoopbackAddress(), relayPort);
        client.setTcpNoDelay(true);
        relay.setTcpNoDelay(true);
        daemon(() -> pump(client, relay, false), "proxy-to-relay");
        daemon(() -> pump(relay, client, true), "proxy-to-client");
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to, boolean mayTrickle) {
    try (from;
        to) {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      byte[] b = new byte[8192];
      int n;
      while ((n = in.read(b)) >= 0) {
        for (int at = 0; at < n; ) {
          if (mayTrickle && trickling) {
            out.write(b[at++]);
            out.flush();
            Thread.sleep(pauseMillis); // the link's pace, not a wait for a condition
          } else {
            out.write(b, at, n - at);
            out.flush();
            at = n;
          }
        }
      }
    } catch (IOException | InterruptedException e) {
      // one side went away: both are closed
    }
  }

  private static void daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
