package dev.postbus.embedded;

import java.time.Duration;
import java.util.List;

/**
 * What a scripted capture server does wrong, on purpose: refuse recipients, refuse a message (for instance
 * only the first time it is offered), or wait before answering the final '.'. The defaults accept everything
 * at once.
 */
public interface Faults {

  /** A reply to send instead of accepting: code and text, e.g. {@code new Reply(550, "5.1.1 User unknown")}. */
  record Reply(int code, String text) {}

  Faults NONE = new Faults() {};

  /** Accepts everything, answering each final '.' after {@code delay}: a relay's processing time. */
  static Faults delayingReplies(Duration delay) {
    return new Faults() {
      @Override
      public Duration replyDelay(String messageId, int offered) {
        return delay;
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
   * @param offered how many times a message with this Message-ID has reached DATA, this time included
   */
  default Reply data(String messageId, List<String> recipients, int offered) {
    return null;
  }

  /** How long to wait before answering the final '.' (past the client's read timeout: an in-doubt send). */
  default Duration replyDelay(String messageId, int offered) {
    return Duration.ZERO;
  }
}
