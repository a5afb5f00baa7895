package dev.postbus.worker.consume;

import dev.postbus.worker.time.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Whether a running worker is in touch with Kafka, judged on the consumer thread from two kinds of
 * signal:
 *
 * <ul>
 *   <li>an <em>answer</em> ({@link #answered}): records fetched, a heartbeat, JoinGroup or
 *       SyncGroup the coordinator answered, a rebalance callback. Kafka is there, but an answer may
 *       be "unknown member" or "illegal generation": it says nothing of this member's partitions;
 *   <li><em>membership</em> ({@link #member}): a commit Kafka acknowledged (the coordinator checks
 *       the generation) or an assignment completed.
 * </ul>
 *
 * <p>With neither for {@code lostAfter}, Kafka is lost since the last one; it is back only on
 * membership, so that no lane starts a transaction for a partition this member was fenced from
 * before the consumer has let it go. While lost and answered, {@link #wantsProof} asks the consume
 * loop to prove membership (a commit). The listener hears of each change once (the time of the last
 * contact when lost, null when back).
 */
public final class KafkaContact {

  private final long lostAfterNanos;
  private final Ticker ticker;
  private final Clock clock;
  private final Consumer<Instant> listener;
  private volatile long lastNanos; // read by the lanes (sinceContact)
  private Instant lastInstant;
  private boolean lost;
  private boolean answeredWhileLost;

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

  /**
   * Starts the silence clock again: the consumer loop starts now. Whatever ran between building
   * this judge and the loop (reading the suppression list, minutes at most) could not hear Kafka.
   */
  public void start() {
    lastNanos = ticker.read();
    lastInstant = clock.instant();
  }

  /** How long Kafka has not answered; readable from any thread. */
  public Duration sinceContact() {
    return Duration.ofNanos(Math.max(0, ticker.read() - lastNanos));
  }

  /** Kafka answered something; not, by itself, a sign that this member still owns anything. */
  public void answered() {
    lastNanos = ticker.read();
    lastInstant = clock.instant();
    if (lost) {
      answeredWhileLost = true;
    }
  }

  /** This member's place in the group is proven (a commit acknowledged, an assignment). */
  public void member() {
    answered();
    if (lost) {
      lost = false;
      answeredWhileLost = false;
      listener.accept(null);
    }
  }

  /** True while Kafka is lost but answering again: membership is to be proven (a commit). */
  public boolean wantsProof() {
    return lost && answeredWhileLost;
  }

  /** Declares Kafka lost once no contact has come for {@code lostAfter}. */
  public void check() {
    if (!lost && ticker.read() - lastNanos >= lostAfterNanos) {
      lost = true;
      answeredWhileLost = false;
      listener.accept(lastInstant);
    }
  }

  public boolean lost() {
    return lost;
  }
}
