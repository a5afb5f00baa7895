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
}
