package dev.postbus.console;

import dev.postbus.replay.DeadLetterFilter;
import dev.postbus.replay.Replayer;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replays previewed and not yet confirmed, each under a nonce its preview page carries. A
 * confirmation takes its nonce away atomically, so it is used once: a double-click, a resubmitted
 * form or a second tab finds it gone. The replay confirmed is the one previewed: its filter, with
 * its time range as resolved at the preview, up to the end of the dead-letter topic the preview
 * read.
 */
final class Confirmations {

  /** How long a preview can be confirmed. */
  static final Duration VALID_FOR = Duration.ofMinutes(15);

  /** The most previews waiting at once; the oldest goes first beyond it. */
  static final int MOST = 1000;

  /**
   * A previewed replay: what it replays, up to the dead-letter topic's end its preview saw (what
   * arrives later waits for a later run), and how its pages show it.
   */
  record Pending(
      DeadLetterFilter filter,
      Replayer.Ends ends,
      Views.Filter shown,
      String selection,
      Instant expires) {}

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final Clock clock;

  Confirmations(Clock clock) {
    this.clock = clock;
  }

  /** Remembers a preview; returns the nonce its confirmation must carry. */
  String issue(DeadLetterFilter filter, Replayer.Ends ends, Views.Filter shown, String selection) {
    Instant now = clock.instant();
    pending.values().removeIf(p -> !p.expires().isAfter(now));
    while (pending.size() >= MOST) {
      pending.entrySet().stream()
          .min(Comparator.comparing(e -> e.getValue().expires()))
          .ifPresent(e -> pending.remove(e.getKey()));
    }
    byte[] bytes = new byte[18];
    RANDOM.nextBytes(bytes);
    String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    pending.put(nonce, new Pending(filter, ends, shown, selection, now.plus(VALID_FOR)));
    return nonce;
  }

  /** The preview of this nonce, taken away; null when used already, expired or unknown. */
  Pending take(String nonce) {
    Pending p = nonce == null ? null : pending.remove(nonce);
    return p == null || !p.expires().isAfter(clock.instant()) ? null : p;
  }
}
