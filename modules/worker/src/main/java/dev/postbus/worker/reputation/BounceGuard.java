package dev.postbus.worker.reputation;

import java.util.BitSet;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Watches the share of the worker's recent recipients that were refused permanently. Over the
 * threshold, with a full window, it trips: delivery pauses until an operator resumes it. A relay
 * suspends a sender's account over a bad list (Amazon SES reviews at 5% bounces, may pause at 10%);
 * a paused worker loses nothing and costs the sender nothing.
 *
 * <p>The window is a ring of the last {@code window} recipients' endings (refused permanently or
 * accepted); transient refusals and suppressed recipients are not sends and do not count.
 */
public final class BounceGuard {

  private final int window;
  private final double maxRate;
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
    this.window = window;
    this.maxRate = maxRate;
    this.onTrip = onTrip;
    this.bounced = new BitSet(window);
  }

  /** Records the endings of one send: recipients accepted and refused permanently. */
  public void record(int accepted, int refusedPermanently) {
    if (maxRate <= 0 || accepted + refusedPermanently == 0) {
      return;
    }
    String reason;
    synchronized (this) {
      for (int i = 0; i < refusedPermanently; i++) {
        add(true);
      }
      for (int i = 0; i < accepted; i++) {
        add(false);
      }
      if (tripped != null || filled < window || rate() <= maxRate) {
        return;
      }
      reason =
          String.format(
              Locale.ROOT, "bounce rate %.1f%% over the last %d sends", rate() * 100, window);
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
    return was;
  }

  /** The share refused permanently in the window now (0 when empty). */
  public synchronized double currentRate() {
    return rate();
  }
}
