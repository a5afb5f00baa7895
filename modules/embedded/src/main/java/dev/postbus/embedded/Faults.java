package dev.postbus.embedded;

import java.time.Duration;
import java.util.List;

/**
 * What a scripted capture server does wrong, on purpose: refuse recipients, refuse a message (for
 * instance only the first time it is offered), or wait before answering the final '.'. The defaults
 * accept everything at once.
 */
public interface Faults {

  /**
   * A reply to send instead of accepting: code and text, e.g. {@code new Reply(550, "5.1.1 User
   * unknown")}.
   */
  record Reply(int code, String text) {}

  Faults NONE = new Faults() {};

  /**
   * Accepts everything, answering each final '.' after {@code delay}: a relay's processing time.
   */
  static Faults delayingReplies(Duration delay) {
    return new Faults() {
      @Override
      public Duration replyDelay(String messageId, int offered) {
        return delay;
      }
    };
  }

  /**
   * Accepts at most {@code perSecond} messages in any one-second window and answers the rest with
   * 454 4.7.0, as Amazon SES does past an account's sending rate.
   */
  static Faults throttlingAbove(int perSecond) {
    java.util.ArrayDeque<Long> accepted = new java.util.ArrayDeque<>();
    return new Faults() {
      @Override
      public synchronized Reply data(String messageId, List<String> recipients, int offered) {
        long now = System.nanoTime();
        while (!accepted.isEmpty() && now - accepted.peekFirst() >= 1_000_000_000L) {
          accepted.pollFirst();
        }
        if (accepted.size() >= perSecond) {
          return new Reply(454, "4.7.0 Throttling failure: Maximum sending rate exceeded.");
        }
        accepted.addLast(now);
        return null;
      }
    };
  }

  /** Null accepts the recipient. */
  default Reply recipient(String address) {
    return null;
  }

  /**
   * Null accepts the message.
   *
   * @param offered how many times a message with this Message-ID has reached DATA, this time
   *     included
   */
  default Reply data(String messageId, List<String> recipients, int offered) {
    return null;
  }

  /**
   * How long to wait before answering the final '.' (past the client's read timeout: an in-doubt
   * send).
   */
  default Duration replyDelay(String messageId, int offered) {
    return Duration.ZERO;
  }
}
