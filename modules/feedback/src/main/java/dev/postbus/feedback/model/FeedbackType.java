package dev.postbus.feedback.model;

import java.util.Locale;

/** What a relay reported about a message after accepting it. */
public enum FeedbackType {
  /** The receiving side refused the message (permanently, transiently, or it cannot tell). */
  BOUNCE,
  /** The recipient marked the message as spam (a feedback loop report). */
  COMPLAINT,
  /** Delivery is delayed; the relay keeps trying. */
  DELAY,
  /** The receiving server accepted the message. */
  DELIVERY;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
