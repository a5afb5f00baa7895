package dev.postbus.feedback.verify;

import dev.postbus.feedback.model.Refusal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Mailgun signature tokens this replica accepted, each with the SHA-256 of the body it came
 * with. Mailgun's HMAC covers the timestamp and the token, not {@code event-data}: a token is good
 * for one body only. The same body again (a retry) passes, to be dropped by its event id; another
 * body under a token seen is refused (403, {@code replay}). Kept in memory, bounded (oldest
 * forgotten first) and for as long as a timestamp stays fresh; after that {@link Freshness} refuses
 * the token anyway.
 */
public final class MailgunTokens {

  private record Entry(long at, byte[] digest) {}

  private final int maxEntries;
  private final long windowMillis;
  private final Clock clock;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

  /**
   * @param window how long a token stays usable: {@code feedback.max-age} plus {@link
   *     Freshness#MAX_AHEAD}
   */
  public MailgunTokens(int maxEntries, Duration window, Clock clock) {
    this.maxEntries = maxEntries;
    this.windowMillis = window.toMillis();
    this.clock = clock;
  }

  /** Remembers {@code token} with {@code body}; refuses it when it came before with another. */
  public void accept(String token, byte[] body) {
    byte[] digest = sha256(body);
    synchronized (this) {
      long now = clock.millis();
      expire(now);
      Entry e = entries.get(token);
      if (e != null) {
        if (!MessageDigest.isEqual(e.digest(), digest)) {
          throw Refusal.forbidden("replay", "signature.token was used before with another body");
        }
        return;
      }
      entries.put(token, new Entry(now, digest));
      while (entries.size() > maxEntries) {
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        it.next();
        it.remove();
      }
    }
  }

  public synchronized int size() {
    return entries.size();
  }

  private void expire(long now) {
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      if (now - it.next().getValue().at() < windowMillis) {
        return; // insertion order: the rest are younger
      }
      it.remove();
    }
  }

  private static byte[] sha256(byte[] body) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(body);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
