package dev.postbus.worker.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.smtp.SmtpConnection;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionPoolTest {

  private static ConnectionPool pool(int n) {
    var smtp = WorkerConfig.from(Settings.of(Map.of())).relays().get(0).smtp();
    List<SmtpConnection> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(new SmtpConnection(smtp, Clock.systemUTC(), "c" + i));
    }
    return new ConnectionPool(list);
  }

  @Test
  void lendsEachConnectionToOneLaneAtATimeAndNoMoreThanTheLimit() throws Exception {
    ConnectionPool p = pool(4);
    ConnectionPool.Lease one = p.borrow(Duration.ZERO, () -> {});
    ConnectionPool.Lease two = p.borrow(Duration.ZERO, () -> {});
    assertThat(one.connection()).isNotSameAs(two.connection());
    p.limit(2);
    assertThat(p.borrow(Duration.ofMillis(20), () -> {})).as("two lent, limit two").isNull();
    SmtpConnection returned = one.connection();
    one.close();
    ConnectionPool.Lease three = p.borrow(Duration.ZERO, () -> {});
    assertThat(three).isNotNull();
    assertThat(three.connection()).as("the one just returned is lent first").isSameAs(returned);
    p.limit(0);
    assertThat(p.limit()).as("never below one").isEqualTo(1);
    p.limit(99);
    assertThat(p.limit()).as("never above the relay's connections").isEqualTo(4);
    two.close();
    three.close();
  }

  @Test
  void leaseEndsExactlyOnce() throws Exception {
    ConnectionPool p = pool(1);
    ConnectionPool.Lease lease = p.borrow(Duration.ZERO, () -> {});
    lease.close();
    lease.close(); // a second close does nothing
    ConnectionPool.Lease first = p.borrow(Duration.ZERO, () -> {});
    assertThat(first).isNotNull();
    assertThat(p.borrow(Duration.ZERO, () -> {})).as("one connection, lent once").isNull();
    first.close();
  }

  @Test
  void aStaleLeaseCannotGiveBackAConnectionAnotherLaneNowHolds() throws Exception {
    ConnectionPool p = pool(1);
    ConnectionPool.Lease stale = p.borrow(Duration.ZERO, () -> {});
    stale.close();
    ConnectionPool.Lease current = p.borrow(Duration.ZERO, () -> {});
    assertThat(current).isNotNull();
    stale.close(); // the old holder closes again, while another lane holds the connection
    assertThat(p.borrow(Duration.ZERO, () -> {}))
        .as("the connection is still the other lane's")
        .isNull();
    assertThat(current.connection()).isNotNull();
    org.assertj.core.api.Assertions.assertThatThrownBy(stale::connection)
        .isInstanceOf(IllegalStateException.class);
    current.close();
  }

  /**
   * Giving a connection back may close it first (more open than a lowered limit allows); should
   * that close throw, the lease has ended all the same: its slot is free again, once.
   */
  @Test
  void aGiveBackWhoseCloseThrowsStillFreesTheSlotExactlyOnce() throws Exception {
    var smtp = WorkerConfig.from(Settings.of(Map.of())).relays().get(0).smtp();
    List<SmtpConnection> list = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      list.add(new SmtpConnection(smtp, Clock.systemUTC(), "c" + i));
    }
    ConnectionPool p =
        new ConnectionPool(
            list,
            c -> {
              throw new IllegalStateException("a bug of ours closing " + c);
            });
    ConnectionPool.Lease one = p.borrow(Duration.ZERO, () -> {});
    ConnectionPool.Lease two = p.borrow(Duration.ZERO, () -> {});
    p.limit(1); // two lent, one allowed: the first given back is closed

    org.assertj.core.api.Assertions.assertThatThrownBy(one::close)
        .isInstanceOf(IllegalStateException.class);
    one.close(); // ended already: gives back nothing a second time
    two.close();

    ConnectionPool.Lease again = p.borrow(Duration.ZERO, () -> {});
    assertThat(again).as("a slot is free: the lease whose close threw ended").isNotNull();
    p.limit(2);
    ConnectionPool.Lease other = p.borrow(Duration.ZERO, () -> {});
    assertThat(other).as("both connections are lendable").isNotNull();
    assertThat(p.borrow(Duration.ZERO, () -> {}))
        .as("and no more: the slot was freed once")
        .isNull();
  }

  @Test
  void aLaneWaitingForAConnectionGetsTheNextOneReturned() throws Exception {
    ConnectionPool p = pool(1);
    ConnectionPool.Lease held = p.borrow(Duration.ZERO, () -> {});
    var waiting =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return p.borrow(Duration.ofSeconds(10), () -> {});
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    SmtpConnection returned = held.connection();
    held.close();
    ConnectionPool.Lease next = waiting.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(next).isNotNull();
    assertThat(next.connection()).isSameAs(returned);
  }

  /**
   * A relay that accepts every message and never answers QUIT (lock-step, one thread per
   * connection).
   */
  private static final class SilentOnQuit implements AutoCloseable {
    final java.net.ServerSocket server = new java.net.ServerSocket(0);
    final java.util.concurrent.atomic.AtomicInteger quits =
        new java.util.concurrent.atomic.AtomicInteger();

    SilentOnQuit() throws java.io.IOException {
      Thread t = new Thread(this::accept, "silent-on-quit");
      t.setDaemon(true);
      t.start();
    }

    private void accept() {
      try {
        while (true) {
          java.net.Socket s = server.accept();
          Thread t = new Thread(() -> serve(s), "silent-on-quit-conn");
          t.setDaemon(true);
          t.start();
        }
      } catch (java.io.IOException closed) {
        // the test is over
      }
    }

    private void serve(java.net.Socket s) {
      try (s) {
        var in =
            new java.io.BufferedReader(
                new java.io.InputStreamReader(
                    s.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
        var out = s.getOutputStream();
        out.write("220 silent ESMTP\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        boolean data = false;
        String line;
        while ((line = in.readLine()) != null) {
          String reply;
          if (data) {
            if (!line.equals(".")) {
              continue;
            }
            data = false;
            reply = "250 2.0.0 queued";
          } else if (line.startsWith("QUIT")) {
            quits.incrementAndGet();
            continue; // never answered
          } else if (line.startsWith("DATA")) {
            data = true;
            reply = "354 go on";
          } else {
            reply = "250 ok";
          }
          out.write((reply + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          out.flush();
        }
      } catch (java.io.IOException gone) {
        // the client closed
      }
    }

    @Override
    public void close() throws java.io.IOException {
      server.close();
    }
  }

  @Test
  void narrowingTheLimitClosesNothingOnTheCallersThreadARelaySilentOnQuitHoldsNoRebalance()
      throws Exception {
    try (SilentOnQuit relay = new SilentOnQuit()) {
      var smtp =
          WorkerConfig.from(
                  Settings.of(
                      Map.of(
                          "smtp.host", "127.0.0.1",
                          "smtp.port", Integer.toString(relay.server.getLocalPort()),
                          "smtp.tls", "none",
                          "smtp.read-timeout", "3s")))
              .relays()
              .get(0)
              .smtp();
      List<SmtpConnection> list = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        list.add(new SmtpConnection(smtp, Clock.systemUTC(), "c" + i));
      }
      ConnectionPool p = new ConnectionPool(list);
      var session = SmtpConnection.sessionFor(smtp);
      var message = new jakarta.mail.internet.MimeMessage(session);
      message.setFrom("shop@example.com");
      message.setText("hi");
      var to =
          new jakarta.mail.Address[] {new jakarta.mail.internet.InternetAddress("a@example.net")};
      ConnectionPool.Lease one = p.borrow(Duration.ZERO, () -> {});
      ConnectionPool.Lease two = p.borrow(Duration.ZERO, () -> {});
      assertThat(one.connection().send(message, to))
          .isInstanceOf(dev.postbus.smtp.SendOutcome.Delivered.class);
      assertThat(two.connection().send(message, to))
          .isInstanceOf(dev.postbus.smtp.SendOutcome.Delivered.class);
      one.close();
      two.close();

      long start = System.nanoTime();
      p.limit(1); // what a rebalance callback does, on the consumer thread
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(millis).as("ms the caller of limit() was held").isLessThan(1000);

      ConnectionPool.Lease next = p.borrow(Duration.ofSeconds(30), () -> {});
      assertThat(next).isNotNull();
      assertThat(p.borrow(Duration.ofMillis(50), () -> {})).as("one at a time now").isNull();
      next.close();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> relay.quits.get() == 1); // the surplus one was closed, by a lane
    }
  }

  /**
   * A lowered limit sets idle connections aside for the next lane to close; should that close
   * throw, the connection is free again all the same, and lendable once the limit allows.
   */
  @Test
  void aSurplusConnectionWhoseCloseThrowsIsFreeAgain() throws Exception {
    try (SilentOnQuit relay = new SilentOnQuit()) {
      var smtp =
          WorkerConfig.from(
                  Settings.of(
                      Map.of(
                          "smtp.host", "127.0.0.1",
                          "smtp.port", Integer.toString(relay.server.getLocalPort()),
                          "smtp.tls", "none",
                          "smtp.read-timeout", "3s")))
              .relays()
              .get(0)
              .smtp();
      List<SmtpConnection> list = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        list.add(new SmtpConnection(smtp, Clock.systemUTC(), "c" + i));
      }
      ConnectionPool p =
          new ConnectionPool(
              list,
              c -> {
                throw new IllegalStateException("a bug of ours closing " + c);
              });
      var message = new jakarta.mail.internet.MimeMessage(SmtpConnection.sessionFor(smtp));
      message.setFrom("shop@example.com");
      message.setText("hi");
      var to =
          new jakarta.mail.Address[] {new jakarta.mail.internet.InternetAddress("a@example.net")};
      ConnectionPool.Lease one = p.borrow(Duration.ZERO, () -> {});
      ConnectionPool.Lease two = p.borrow(Duration.ZERO, () -> {});
      one.connection().send(message, to);
      two.connection().send(message, to);
      one.close();
      two.close();
      p.limit(1); // two idle connections, one allowed: one is set aside to be closed

      org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.borrow(Duration.ZERO, () -> {}))
          .isInstanceOf(IllegalStateException.class);
      p.limit(2);

      assertThat(p.borrow(Duration.ZERO, () -> {})).isNotNull();
      assertThat(p.borrow(Duration.ZERO, () -> {}))
          .as("the connection whose close threw is lendable again")
          .isNotNull();
      assertThat(p.borrow(Duration.ZERO, () -> {})).as("and counted once").isNull();
    }
  }
}
