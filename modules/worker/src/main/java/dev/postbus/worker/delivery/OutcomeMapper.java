package dev.postbus.worker.delivery;

import dev.postbus.smtp.OutcomeClass;
import dev.postbus.smtp.ReplyClassifier;
import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpReply;
import dev.postbus.smtp.Verdict;
import dev.postbus.worker.outcome.Failure;
import jakarta.mail.Address;
import jakarta.mail.internet.InternetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How one attempt ended, turned into what to record: which recipients were delivered, which are
 * retried, held for a throttle or dead-lettered, which go on the suppression list, what the
 * bounce-rate guard counts and whether the relay is asked to slow down. Pure: no I/O, no state (the
 * lane applies the {@link Mapping}), so each rule is unit-tested alone.
 */
public final class OutcomeMapper {

  /** One record-producing step of an attempt, in the order the lane applies them. */
  public sealed interface Step permits Delivered, Failed, Throttled {}

  /** {@code recipients} accepted with {@code reply}. */
  public record Delivered(SmtpReply reply, int recipients) implements Step {}

  /** Retried (transient) or dead-lettered; {@code recipients} null for all of the record's. */
  public record Failed(Failure failure, Duration retryAfter, List<String> recipients)
      implements Step {}

  /** The relay asked us to slow down: held on the ladder without counting an attempt. */
  public record Throttled(Failure failure, Duration retryAfter, List<String> recipients)
      implements Step {}

  /** A permanent refusal to put on the suppression list (when its code is one of the codes). */
  public record Bounce(String address, SmtpReply reply, String command) {}

  /**
   * @param accepted recipients the relay accepted, for the guard
   * @param refusedPermanently recipients refused for good, for the guard
   * @param relayAccepted the relay took the message (its rate and count)
   * @param slowDown the relay pushed back: lower its rate
   * @param inDoubt the problem when the outcome is in doubt (logged), else null
   */
  public record Mapping(
      List<Step> steps,
      List<Bounce> bounces,
      int accepted,
      int refusedPermanently,
      boolean relayAccepted,
      boolean slowDown,
      String inDoubt) {}

  private final ReplyClassifier classifier;

  public OutcomeMapper(ReplyClassifier classifier) {
    this.classifier = classifier;
  }

  /**
   * @param only the recipients the record was limited to (null for all)
   */
  public Mapping map(Preparation.Ready ready, List<String> only, SendOutcome outcome) {
    Builder m = new Builder();
    int recipients = ready.recipients().length;
    if (ready.suppressed() != null) {
      m.steps.add(new Failed(ready.suppressed().failure(), null, ready.suppressed().addresses()));
      // what is retried is what was sent: the suppressed ones are dead-lettered once, not per try
      only = Arrays.stream(ready.recipients()).map(OutcomeMapper::address).toList();
    }
    if (outcome instanceof SendOutcome.Delivered delivered) {
      m.relayAccepted = true;
      m.steps.add(new Delivered(delivered.reply(), recipients));
      m.accepted = recipients;
    } else if (outcome instanceof SendOutcome.RecipientsRefused refused) {
      if (refused.dataReply() != null) {
        m.steps.add(new Delivered(refused.dataReply(), refused.accepted()));
        m.accepted = refused.accepted();
      }
      refusals(m, refused);
    } else if (outcome instanceof SendOutcome.Rejected rejected) {
      rejected(m, ready, only, rejected);
    } else if (outcome instanceof SendOutcome.Unwritable u) {
      // nothing reached the relay: no bounce, no refusal counted for the guard
      m.steps.add(
          new Failed(
              new Failure(OutcomeClass.PERMANENT, u.problem(), null, null, false), null, only));
    } else {
      connectionFailed(m, outcome, only);
    }
    return m.build();
  }

  /** The connection failed: a transient failure, in doubt when it failed after the final dot. */
  private static void connectionFailed(Builder m, SendOutcome outcome, List<String> only) {
    if (outcome instanceof SendOutcome.InDoubt inDoubt) {
      m.inDoubt = inDoubt.problem();
      m.steps.add(
          new Failed(
              new Failure(OutcomeClass.TRANSIENT, inDoubt.problem(), null, "DATA", true),
              null,
              only));
    } else {
      m.steps.add(
          new Failed(
              new Failure(OutcomeClass.TRANSIENT, problem(outcome), null, null, false),
              null,
              only));
    }
  }

  private void rejected(
      Builder m, Preparation.Ready ready, List<String> only, SendOutcome.Rejected rejected) {
    Verdict v = classifier.classify(rejected.reply());
    int recipients = ready.recipients().length;
    if (v.outcomeClass() == OutcomeClass.PERMANENT && rejected.command().equals("DATA")) {
      // refused after the message: a refusal of every recipient; one alone is surely the cause
      m.refusedPermanently = recipients;
      if (recipients == 1) {
        m.bounces.add(
            new Bounce(address(ready.recipients()[0]), rejected.reply(), rejected.command()));
      }
    }
    Failure f =
        new Failure(
            v.outcomeClass(),
            rejected.command() + " refused with " + rejected.reply().codes(),
            rejected.reply(),
            rejected.command(),
            false);
    if (v.throttle() && v.outcomeClass() == OutcomeClass.TRANSIENT) {
      m.slowDown = true;
      m.steps.add(new Throttled(f, v.retryAfter(), only));
    } else {
      m.steps.add(new Failed(f, v.retryAfter(), only));
    }
  }

  /**
   * Refused recipients, grouped: the permanent ones are dead-lettered (and may be suppressed); the
   * throttled ones (what the classifier calls a throttle: 421, 454, 4.7.x) slow the relay as a 421
   * does and are held (see {@link dev.postbus.worker.outcome.OutcomeBatch#throttled}); the other
   * transient ones (a full mailbox, 452 4.2.2, too) are retried on the ladder.
   */
  private void refusals(Builder m, SendOutcome.RecipientsRefused refused) {
    List<SendOutcome.Refusal> permanent = new ArrayList<>();
    List<SendOutcome.Refusal> throttled = new ArrayList<>();
    List<SendOutcome.Refusal> retried = new ArrayList<>();
    for (SendOutcome.Refusal r : refused.refused()) {
      Verdict v = classifier.classify(r.reply());
      if (v.outcomeClass() == OutcomeClass.PERMANENT) {
        permanent.add(r);
        m.bounces.add(new Bounce(r.address(), r.reply(), "RCPT"));
      } else if (v.outcomeClass() == OutcomeClass.TRANSIENT && v.throttle()) {
        throttled.add(r);
      } else {
        retried.add(r);
      }
    }
    int all = refused.refused().size() + refused.accepted();
    m.refusedPermanently = permanent.size();
    if (!permanent.isEmpty()) {
      m.steps.add(failed(OutcomeClass.PERMANENT, permanent, all, false));
    }
    if (!throttled.isEmpty()) {
      m.slowDown = true;
      m.steps.add(failed(OutcomeClass.TRANSIENT, throttled, all, true));
    }
    if (!retried.isEmpty()) {
      m.steps.add(failed(OutcomeClass.TRANSIENT, retried, all, false));
    }
  }

  private Step failed(OutcomeClass c, List<SendOutcome.Refusal> list, int all, boolean throttle) {
    SendOutcome.Refusal first = list.get(0);
    Verdict v = classifier.classify(first.reply());
    Failure f =
        new Failure(
            c,
            "RCPT refused with "
                + first.reply().codes()
                + " for "
                + list.size()
                + " of "
                + all
                + " recipients",
            first.reply(),
            "RCPT",
            false);
    List<String> addresses = list.stream().map(SendOutcome.Refusal::address).toList();
    return throttle
        ? new Throttled(f, v.retryAfter(), addresses)
        : new Failed(f, v.retryAfter(), addresses);
  }

  static String address(Address a) {
    return ((InternetAddress) a).getAddress();
  }

  /** What went wrong, in words, for a log line or a failure's reason. */
  static String problem(SendOutcome outcome) {
    if (outcome instanceof SendOutcome.ConnectFailed f) {
      return f.problem();
    }
    if (outcome instanceof SendOutcome.ConnectionLost l) {
      return l.problem();
    }
    if (outcome instanceof SendOutcome.InDoubt i) {
      return i.problem();
    }
    if (outcome instanceof SendOutcome.Rejected r) {
      return r.command() + " refused with " + r.reply().codes();
    }
    if (outcome instanceof SendOutcome.RelayRefused r) {
      return r.problem() + (r.reply() == null ? "" : " (" + r.reply().codes() + ")");
    }
    return outcome.getClass().getSimpleName();
  }

  private static final class Builder {
    final List<Step> steps = new ArrayList<>();
    final List<Bounce> bounces = new ArrayList<>();
    int accepted;
    int refusedPermanently;
    boolean relayAccepted;
    boolean slowDown;
    String inDoubt;

    Mapping build() {
      return new Mapping(
          List.copyOf(steps),
          List.copyOf(bounces),
          accepted,
          refusedPermanently,
          relayAccepted,
          slowDown,
          inDoubt);
    }
  }
}
