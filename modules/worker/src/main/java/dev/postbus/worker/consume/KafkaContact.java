package dev.postbus.worker.consume;

import dev.postbus.worker.time.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Whether a running worker is in touch with Kafka: a fetch that brought records, a commit Kafka
 * acknowledged, or a heartbeat to the group coordinator counts as contact. With none for {@code
 * lostAfter}, Kafka is lost since the last contact; the listener hears of each change once (the
 * time of the last contact when lost, null when back). Kept on the consumer thread.
 */
public final class KafkaContact {

  private final long lostAfterNanos;
  private final Ticker ticker;
  private final Clock clock;
  private final Consumer<Instant> listener;
  private long lastNanos;
  private Instant lastInstant;
  private boolean lost;

  /**
   * @param listener told the time of the last contact when Kafka is lost, and null when it is back
   */
  public KafkaContact(Duration lostAfter, Ticker ticker, Clock clock, Consumer<Instant> listener) {
    this.lostAfterNanos = lostAfter.toNanos();
    this.ticker = ticker;
    this.clock = clock;
    this.listener = listener;
    this.lastNanos = ticker.read();
    this.lastInstant = clock.instant();
  }

  /** Kafka answered (records fetched, a commit acknowledged). */
  public void contact() {
    lastNanos = ticker.read();
    lastInstant = clock.instant();
    if (lost) {
      lost = false;
      listener.accept(null);
    }
  }

  /**
   * The consumer's last heartbeat to the group coordinator was {@code seconds} ago (negative or NaN
   * when there was none yet): contact then, when that is later than the last one known.
   */
  public void heartbeat(double seconds) {
    if (!(seconds >= 0)) {
      return;
    }
    long ago = (long) (seconds * 1e9);
    long at = ticker.read() - ago;
    if (at - lastNanos > 0) {
      lastNanos = at;
      lastInstant = clock.instant().minusNanos(ago);
      if (lost) {
        lost = false;
        listener.accept(null);
      }
    }
  }

  /** Declares Kafka lost once no contact has come for {@code lostAfter}. */
  public void check() {
    if (!lost && ticker.read() - lastNanos >= lostAfterNanos) {
      lost = true;
      listener.accept(lastInstant);
    }
  }

  public boolean lost() {
    return lost;
  }
}
