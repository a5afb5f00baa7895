package dev.postbus.smtp;

import java.time.Duration;

/**
 * The classifier's answer for one outcome.
 *
 * @param freshConnection the connection is suspect: retry at once on a new one (in-process, a
 *     couple of times) before anything else
 * @param relayLevel the failure is the relay's (could not connect at all), not the message's
 * @param inDoubt the relay may have accepted the message
 * @param throttle the relay asks us to slow down (421, 454, 4.7.x)
 * @param retryAfter a "try again in N seconds/minutes" hint from the reply text, or null
 */
public record Verdict(
    OutcomeClass outcomeClass,
    boolean freshConnection,
    boolean relayLevel,
    boolean inDoubt,
    boolean throttle,
    Duration retryAfter) {

  public static Verdict of(OutcomeClass c) {
    return new Verdict(c, false, false, false, false, null);
  }
}
