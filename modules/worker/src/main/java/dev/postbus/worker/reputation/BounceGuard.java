package dev.postbus.worker.reputation;

import java.util.BitSet;
import java.util.Collection;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Watches the share of the worker's recent recipients that were refused permanently, and (with a
 * {@link FeedbackWindow}) the bounces and complaints reported later about the recipients it sent.
 * Over a limit it trips: delivery pauses until an operator resumes it. A relay suspends a sender's
 * account over a bad list (Amazon SES reviews at 5% bounces, may pause at 10%; Gmail's bulk-sender
 * rule wants a spam rate under 0.3%); a paused worker loses nothing and costs the sender nothing.
 *
 * <p>The ring is of the last {@code window} recipients' endings (refused permanently or accepted);
 * transient refusals and suppressed recipients are not sends and do not count. The feedback window
 * judges a day (by default) of sends with what was reported about them since.
 */
public final class BounceGuard {

  private final int window;
  private final double maxRate;
  private final FeedbackWindow feedback;
  private final Consumer<String> onTrip;
  private final BitSet bounced;
  private int next;
  private int filled;
  private int bounces;
  private volatile String tripped;

  /**
   * @param maxRate share of the window that trips it; 0 turns the guard off
   * @param onTrip told the reason, once per trip
   */
  public BounceGuard(int window, double maxRate, Consumer<String> onTrip) {
    this(window, maxRate, null, onTrip);
  }

  /**
   * @param feedback the sends judged with the reports that come later, or null for none
   */
  public BounceGuard(int window, double maxRate, FeedbackWindow feedback, Consumer<String> onTrip) {
    this.window = window;
    this.maxRate = maxRate;
    this.feedback = feedback;
    this.onTrip = onTrip;
    this.bounced = new BitSet(window);
  }

  /**
   * Records the endings of one send of job {@code jobId}: the recipients accepted and the number
   * refused permanently.
   */
  public void record(String jobId, Collection<String> accepted, int refusedPermanently) {
    if (feedback != null && accepted.size() + refusedPermanently > 0) {
      feedback.sent(jobId, accepted, refusedPermanently);
    }
    record(accepted.size(), refusedPermanently);
    if (feedback != null && tripped == null && accepted.size() + refusedPermanently > 0) {
      tripOnVerdict();
    }
  }

  /** Records the endings of one send in the ring alone: recipients accepted and refused. */
  public void record(int accepted, int refusedPermanently) {
    if (maxRate <= 0 || accepted + refusedPermanently == 0) {
      return;
    }
    trip(ring(accepted, refusedPermanently));
  }

  /**
   * A bounce or complaint reported later about {@code recipient} of job {@code jobId} (read from
   * the feedback topic): counted when this worker sent it within the feedback window.
   */
  public void reported(String jobId, String recipient, FeedbackWindow.Kind kind) {
    if (feedback != null && feedback.reported(jobId, recipient, kind) && tripped == null) {
      tripOnVerdict();
    }
  }

  /**
   * Asks the feedback window for its verdict and trips on it under this guard's lock (then the
   * window's, the order {@link #resume()} takes too): a resume cannot fall between the verdict and
   * the trip, so a verdict on the window before the resume never trips the fresh one.
   */
  private void tripOnVerdict() {
    String reason;
    synchronized (this) {
      if (tripped != null) {
        return;
      }
      reason = feedback.verdict();
      if (reason == null) {
        return;
      }
      tripped = reason;
    }
    onTrip.accept(reason);
  }

  /** The ring's reason to trip, or null. */
  private synchronized String ring(int accepted, int refusedPermanently) {
    for (int i = 0; i < refusedPermanently; i++) {
      add(true);
    }
    for (int i = 0; i < accepted; i++) {
      add(false);
    }
    if (tripped != null || filled < window || rate() <= maxRate) {
      return null;
    }
    return String.format(
        Locale.ROOT, "bounce rate %.1f%% over the last %d sends", rate() * 100, window);
  }

  /** Trips with {@code reason} (when not null and not tripped yet), telling the listener once. */
  private void trip(String reason) {
    if (reason == null) {
      return;
    }
    synchronized (this) {
      if (tripped != null) {
        return;
      }
      tripped = reason;
    }
    onTrip.accept(reason);
  }

  private void add(boolean bounce) {
    if (filled == window) {
      if (bounced.get(next)) {
        bounces--;
      }
    } else {
      filled++;
    }
    bounced.set(next, bounce);
    if (bounce) {
      bounces++;
    }
    next = (next + 1) % window;
  }

  private double rate() {
    return filled == 0 ? 0 : (double) bounces / filled;
  }

  /**
   * The guard was tripped elsewhere in the group (or before a restart): delivery pauses here too,
   * without telling the trip listener again. Returns whether it was not tripped yet.
   */
  public synchronized boolean hold(String reason) {
    if (tripped != null) {
      return false;
    }
    tripped = reason;
    return true;
  }

  /** Why delivery is paused, or null while it is not. */
  public String tripped() {
    return tripped;
  }

  /** What tripped it, {@code complaints} or {@code bounces}; null while it is not tripped. */
  public String trippedBy() {
    String t = tripped;
    return t == null ? null : t.startsWith("complaint") ? "complaints" : "bounces";
  }

  /**
   * Lets delivery go on, judging a fresh window (the old one would trip again at once). Returns
   * whether it was tripped.
   */
  public synchronized boolean resume() {
    boolean was = tripped != null;
    tripped = null;
    bounced.clear();
    next = 0;
    filled = 0;
    bounces = 0;
    if (feedback != null) {
      feedback.clear();
    }
    return was;
  }

  /** The share refused permanently in the window now (0 when empty). */
  public synchronized double currentRate() {
    return rate();
  }

  /** The share of the feedback window's recipients that complained (0 without one). */
  public double complaintRate() {
    return feedback == null ? 0 : feedback.complaintRate();
  }

  /** Recipients the feedback window dropped early because it was full (0 without one). */
  public long feedbackDropped() {
    return feedback == null ? 0 : feedback.droppedEarly();
  }

  /** The share of the feedback window's recipients that bounced, then or later (0 without one). */
  public double feedbackBounceRate() {
    return feedback == null ? 0 : feedback.bounceRate();
  }
}
