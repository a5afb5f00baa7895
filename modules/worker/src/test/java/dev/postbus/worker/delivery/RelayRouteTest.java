package dev.postbus.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.job.JobClass;
import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpConnection;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.relay.ConnectionPool;
import dev.postbus.worker.relay.Relay;
import dev.postbus.worker.relay.RelayState;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.junit.jupiter.api.Test;

/** What the end of a send tells of its relay, against a real SMTP server. */
class RelayRouteTest {

  /** A message that cannot be written into memory (ours to fix, not the relay's): nothing sent. */
  private static MimeMessage unwritable(Session session) throws Exception {
    SMTPMessage m =
        new SMTPMessage(session) {
          @Override
          public void writeTo(OutputStream os, String[] ignoreList) throws IOException {
            throw new IOException("a part of ours cannot be read");
          }
        };
    m.setFrom("shop@example.com");
    m.setRecipients(Message.RecipientType.TO, "bob@example.net");
    m.setText("Thanks");
    m.saveChanges();
    return m;
  }

  @Test
  void aProbeWhoseMessageIsUnwritableLeavesTheRelayOutAndDueForAProbeAgain() throws Exception {
    try (SmtpCapture smtp = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(smtp.port(), Map.of(), pool -> true)) {
      Relay relay = h.relays.all().get(0);
      relay.failed("out for this test"); // the next job probes it, 100 ms from now
      Job job = Job.text("probe", "shop@example.com", "bob@example.net", "Receipt", "Thanks");
      Delivery d = h.offer(job);
      Preparation.Ready ready =
          new Preparation.Ready(
              job,
              unwritable(SmtpConnection.sessionFor(h.config.relays().get(0).smtp())),
              new Address[] {new InternetAddress("bob@example.net")});
      RelayRoute route =
          new RelayRoute(
              "lane-0",
              h.shared,
              new TakeAhead(h.shared, () -> false),
              () -> {},
              new CountDownLatch(1));

      RelayRoute.Sent sent = route.send(d, ready, null, () -> JobClass.TRANSACTIONAL);

      assertThat(sent.outcome()).isInstanceOf(SendOutcome.Unwritable.class);
      assertThat(smtp.received()).isZero();
      assertThat(relay.state())
          .as("a message we could not write says nothing of the relay: it is still out")
          .isEqualTo(RelayState.OUT);
      assertThat(relay.problem()).isEqualTo("out for this test");
    }
  }

  @Test
  void aProbeRejectedWhileItsGiveBackThrowsLeavesTheRelayUp() throws Exception {
    try (SmtpCapture smtp = SmtpCapture.start(0)) {
      smtp.faults(
          new Faults() {
            @Override
            public Reply data(String messageId, List<String> recipients, int offered) {
              return new Reply(554, "5.6.0 Message content rejected");
            }
          });
      RelayRoute.Sent sent = probeWhoseGiveBackThrows(smtp);

      assertThat(sent.outcome()).isInstanceOf(SendOutcome.Rejected.class);
      assertThat(sent.relay().state())
          .as("the relay answered the probe: the give-back's error does not leave it probing")
          .isEqualTo(RelayState.UP);
    }
  }

  @Test
  void aProbeDeliveredWhileItsGiveBackThrowsLeavesTheRelayUp() throws Exception {
    try (SmtpCapture smtp = SmtpCapture.start(0)) {
      RelayRoute.Sent sent = probeWhoseGiveBackThrows(smtp);

      assertThat(sent.outcome()).isInstanceOf(SendOutcome.Delivered.class);
      assertThat(smtp.received()).isEqualTo(1);
      assertThat(sent.relay().state())
          .as("the relay answered the probe: the give-back's error does not leave it probing")
          .isEqualTo(RelayState.UP);
    }
  }

  @Test
  void aProbeWhoseBorrowThrowsLeavesTheRelayOutNotProbing() throws Exception {
    try (SmtpCapture smtp = SmtpCapture.start(0);
        LaneHarness h =
            new LaneHarness(
                smtp.port(),
                Map.of("smtp.connections", "2"),
                pool -> true,
                c -> {
                  throw new IllegalStateException("a bug of ours closing " + c);
                })) {
      Relay relay = h.relays.all().get(0);
      openBoth(h, relay);
      relay.connections().limit(1); // a rebalance: one of the two open connections set aside
      relay.failed("out for this test"); // the next job probes it, 100 ms from now
      Job job = Job.text("probe", "shop@example.com", "bob@example.net", "Receipt", "Thanks");
      Delivery d = h.offer(job);
      Preparation.Ready ready =
          (Preparation.Ready)
              h.shared.preparation().prepare(new dev.postbus.job.JobCodec().encode(job), null);
      RelayRoute route =
          new RelayRoute(
              "lane-0",
              h.shared,
              new TakeAhead(h.shared, () -> false),
              () -> {},
              new CountDownLatch(1));

      assertThatThrownBy(() -> route.send(d, ready, null, () -> JobClass.TRANSACTIONAL))
          .as("closing the connection set aside throws as the probe borrows")
          .hasMessageStartingWith("a bug of ours closing");
      assertThat(relay.state())
          .as("the probe that never sent is abandoned: the next job probes")
          .isEqualTo(RelayState.OUT);
    }
  }

  /** Opens both connections of the relay (one message on each), then gives them back. */
  private static void openBoth(LaneHarness h, Relay relay) throws Exception {
    Session session = SmtpConnection.sessionFor(h.config.relays().get(0).smtp());
    List<ConnectionPool.Lease> leases = new java.util.ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ConnectionPool.Lease lease = relay.connections().borrow(Duration.ZERO, () -> {});
      MimeMessage m = new MimeMessage(session);
      m.setFrom("shop@example.com");
      m.setText("opening");
      assertThat(lease.connection().send(m, new Address[] {new InternetAddress("bob@example.net")}))
          .isInstanceOf(SendOutcome.Delivered.class);
      leases.add(lease);
    }
    leases.forEach(ConnectionPool.Lease::close);
  }

  /**
   * Sends one job as the probe of a relay of two connections whose give-back throws: while the
   * probe's connection is lent, another lane holds the other and a rebalance lowers the relay's
   * share to one, so the probe's connection is closed as it is given back, and the close throws.
   */
  private static RelayRoute.Sent probeWhoseGiveBackThrows(SmtpCapture smtp) throws Exception {
    List<ConnectionPool.Lease> held = new CopyOnWriteArrayList<>();
    try (LaneHarness h =
        new LaneHarness(
            smtp.port(),
            Map.of("smtp.connections", "2"),
            pool -> true,
            c -> {
              throw new IllegalStateException("a bug of ours closing " + c);
            })) {
      Relay relay = h.relays.all().get(0);
      relay.failed("out for this test"); // the next job probes it, 100 ms from now
      Job job = Job.text("probe", "shop@example.com", "bob@example.net", "Receipt", "Thanks");
      Delivery d = h.offer(job);
      Preparation.Ready ready =
          (Preparation.Ready)
              h.shared.preparation().prepare(new dev.postbus.job.JobCodec().encode(job), null);
      Runnable rebalanceMidSend =
          () -> {
            try {
              held.add(relay.connections().borrow(Duration.ZERO, () -> {}));
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
            relay.connections().limit(1);
          };
      RelayRoute route =
          new RelayRoute(
              "lane-0",
              h.shared,
              new TakeAhead(h.shared, () -> false),
              rebalanceMidSend,
              new CountDownLatch(1));

      RelayRoute.Sent sent = route.send(d, ready, null, () -> JobClass.TRANSACTIONAL);

      assertThat(held)
          .as("the other connection was lent meanwhile")
          .hasSize(1)
          .doesNotContainNull();
      assertThat(relay.connections().borrow(Duration.ZERO, () -> {}))
          .as("the probe's connection was not kept: its give-back threw")
          .isNull();
      return sent;
    }
  }
}
