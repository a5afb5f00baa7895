package dev.postbus.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Distance between client and relay: a TCP proxy that holds every byte for half the round-trip time
 * in each direction before passing it on, so a command group written at once arrives at once, and
 * its replies come back together one round trip later. (The {@code rtt:} sink instead delays each
 * reply in turn, which models a slow server, not a far one.) Four threads per connection: a reader
 * and a writer each way.
 */
final class LatencyProxy implements AutoCloseable {

  private final ServerSocket server;
  private final String host;
  private final int port;
  private final long halfNanos;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();

  LatencyProxy(String host, int port, Duration rtt) throws IOException {
    this.host = host;
    this.port = port;
    this.halfNanos = rtt.toNanos() / 2;
    this.server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
    daemon(this::accept, "latency-proxy-accept");
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket relay = new Socket(host, port);
        client.setTcpNoDelay(true);
        relay.setTcpNoDelay(true);
        open.add(client);
        open.add(relay);
        pipe(client, relay);
        pipe(relay, client);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private record Chunk(long due, byte[] bytes) {}

  private static final Chunk END = new Chunk(0, null);

  private void pipe(Socket from, Socket to) throws IOException {
    InputStream in = from.getInputStream();
    OutputStream out = to.getOutputStream();
    BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    daemon(
        () -> {
          byte[] buf = new byte[64 * 1024];
          try {
            int n;
            while ((n = in.read(buf)) >= 0) {
              queue.add(new Chunk(System.nanoTime() + halfNanos, Arrays.copyOf(buf, n)));
            }
          } catch (IOException e) {
            // closed
          }
          queue.add(END);
        },
        "latency-proxy-read");
    daemon(
        () -> {
          try {
            while (true) {
              Chunk c = queue.take();
              if (c == END) {
                break;
              }
              long wait;
              while ((wait = c.due() - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
              }
              out.write(c.bytes());
            }
          } catch (IOException | InterruptedException e) {
            // closed
          }
          close(to);
          close(from);
        },
        "latency-proxy-write");
  }

  private void close(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException e) {
      // already closed
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
    for (Socket s : open) {
      close(s);
    }
  }
}
