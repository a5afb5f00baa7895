package dev.postbus.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A receiver that closes silently or never answers costs one post, not the whole run. */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KeepAliveClientTest {

  private static final byte[] OK =
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII);

  /** What the server does with each request on a connection: answer 200, or close silently. */
  enum Then {
    ANSWER,
    CLOSE,
    HANG
  }

  @Test
  void aConnectionClosedSilentlyIsOpenedAgainAndTheRequestSentAgain() throws Exception {
    try (Server server =
            new Server(List.of(List.of(Then.ANSWER, Then.CLOSE), List.of(Then.ANSWER)));
        KeepAliveClient client = new KeepAliveClient(server.uri(), Duration.ofSeconds(30))) {
      byte[] request = KeepAliveClient.post(server.uri(), "", "{}");

      assertThat(client.send(request)).isEqualTo(200);
      assertThat(client.send(request)).isEqualTo(200);
      assertThat(server.requests).hasValue(3);
      assertThat(server.connections).hasValue(2);
    }
  }

  @Test
  void aReceiverThatClosesEveryTimeCostsOneFailedPost() throws Exception {
    try (Server server = new Server(List.of(List.of(Then.CLOSE), List.of(Then.CLOSE)));
        KeepAliveClient client = new KeepAliveClient(server.uri(), Duration.ofSeconds(30))) {
      assertThat(client.send(KeepAliveClient.post(server.uri(), "", "{}")))
          .isEqualTo(KeepAliveClient.NOT_ANSWERED);
      assertThat(server.connections).hasValue(2);
    }
  }

  @Test
  void aReceiverThatNeverAnswersIsNotAnsweredAfterTheReadTimeout() throws Exception {
    try (Server server = new Server(List.of(List.of(Then.HANG)));
        KeepAliveClient client = new KeepAliveClient(server.uri(), Duration.ofMillis(200))) {
      assertThat(client.send(KeepAliveClient.post(server.uri(), "", "{}")))
          .isEqualTo(KeepAliveClient.NOT_ANSWERED);
      assertThat(server.connections).hasValue(1);
    }
  }

  /** A loopback HTTP server that plays one script per connection it accepts, then stops. */
  private static final class Server implements AutoCloseable {
    final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final List<Socket> open = new CopyOnWriteArrayList<>();
    final Thread thread;

    Server(List<List<Then>> scripts) throws IOException {
      thread =
          new Thread(
              () -> {
                try {
                  for (List<Then> script : scripts) {
                    Socket s = socket.accept();
                    open.add(s);
                    connections.incrementAndGet();
                    play(s, script);
                  }
                } catch (IOException e) {
                  // closed by the test
                }
              },
              "keep-alive-test-server");
      thread.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/feedback/ses");
    }

    private void play(Socket s, List<Then> script) throws IOException {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      for (Then then : script) {
        readRequest(new DataInputStream(in));
        requests.incrementAndGet();
        if (then == Then.ANSWER) {
          out.write(OK);
          out.flush();
        } else if (then == Then.CLOSE) {
          s.close();
          return;
        } else {
          return; // HANG: never answers; closed when the test ends
        }
      }
    }

    private static void readRequest(DataInputStream in) throws IOException {
      int length = 0;
      for (String line = line(in); !line.isEmpty(); line = line(in)) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).strip());
        }
      }
      in.readFully(new byte[length]);
    }

    private static String line(InputStream in) throws IOException {
      StringBuilder b = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("closed");
        }
        if (c != '\r') {
          b.append((char) c);
        }
      }
      return b.toString();
    }

    @Override
    public void close() throws Exception {
      socket.close();
      for (Socket s : open) {
        s.close();
      }
      thread.join();
    }
  }
}
