package dev.postbus.worker.delivery;

import dev.postbus.smtp.Envelope;
import dev.postbus.smtp.SmtpConnection;
import dev.postbus.worker.dedupe.Dedupe;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.relay.ConnectionPool;
import dev.postbus.worker.relay.Relay;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * One lane's take-ahead. With pipelined DATA (the relay offers PIPELINING, not CHUNKING), the next
 * job's envelope can ride in the same write as this message's end, so that it finds its 354
 * waiting: one round trip per message instead of two. For that the lane takes its next job while
 * sending the current one, prepares it, and sends it next on the same connection, which it keeps
 * until then. Only with a single relay, where the next job cannot go elsewhere (a connection asked
 * to send another envelope than the one it announced must reconnect). Used on the lane's thread.
 */
final class TakeAhead {

  /** The job taken ahead, its preparation and its attempt (null until prepared). */
  record Next(Delivery delivery, Preparation.Result prepared, Attempt attempt) {}

  /** The connection that holds the envelope of the job taken ahead, and its relay. */
  record Kept(ConnectionPool.Lease lease, Relay relay) {}

  private final SenderLane.Shared shared;
  private final BooleanSupplier stopping;

  private Next held;
  private Kept kept;

  TakeAhead(SenderLane.Shared shared, BooleanSupplier stopping) {
    this.shared = shared;
    this.stopping = stopping;
  }

  /** Whether a job was taken ahead (it is handled next, even when the lane is stopping). */
  boolean holds() {
    return held != null;
  }

  /** The job taken ahead, now the lane's to handle; null when none. */
  Next poll() {
    Next n = held;
    held = null;
    return n;
  }

  /**
   * Takes the next job now, when one is queued and the relays allow it, and prepares it; returns
   * its envelope to announce behind the current message, or null when nothing is taken ahead (or
   * the job taken cannot be announced: it then fails on its own turn, with its own outcome).
   */
  Envelope take(Delivery current) {
    if (!possible()) {
      return null;
    }
    Delivery next = shared.queue().takeAhead(current);
    if (next == null) {
      return null;
    }
    held = new Next(next, null, null); // handled next (prepared on its turn) if preparing fails
    Attempt attempt = Attempt.of(next);
    Preparation.Result prepared = attempt.prepare(shared.preparation());
    held = new Next(next, prepared, attempt);
    if (prepared instanceof Preparation.Ready r
        && shared.dedupe().tryClaim(attempt, r.job().id()) instanceof Dedupe.Send) {
      try {
        shared
            .preparation()
            .envelopeSender()
            .setFor(r.message(), r.job().id(), shared.relays().all().get(0).config().provider());
        return SmtpConnection.envelopeOf(r.message(), r.recipients());
      } catch (jakarta.mail.MessagingException e) {
        return null;
      }
    }
    return null;
  }

  private boolean possible() {
    List<Relay> all = shared.relays().all();
    return all.size() == 1
        && all.get(0).offer().writesAhead()
        && !stopping.getAsBoolean()
        && !shared.holds().held();
  }

  /** Keeps the connection that holds the next job's envelope: that job is sent next, on it. */
  void keep(ConnectionPool.Lease lease, Relay relay) {
    kept = new Kept(lease, relay);
  }

  /** The kept connection, now the caller's; null when none. */
  Kept takeKept() {
    Kept k = kept;
    kept = null;
    return k;
  }

  /**
   * Gives back a connection kept for the job taken ahead when that job will not be sent on it (its
   * partition was revoked, or delivery is held): the connection is closed first, since it holds
   * that job's envelope.
   */
  void releaseKept() {
    Kept k = takeKept();
    if (k != null) {
      k.lease().connection().disconnect();
      k.lease().close();
    }
  }
}
