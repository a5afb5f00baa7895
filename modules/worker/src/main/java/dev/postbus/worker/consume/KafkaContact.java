package dev.postbus.worker.consume;

import dev.postbus.worker.time.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a running worker is in touch with Kafka, judged on the consumer thread from two kinds of
 * signal:
 *
 * <ul>
 *   <li>an <em>answer</em> ({@link #answered}): records fetched, a heartbeat the coordinator
 *       answered, a rebalance callback. Kafka is there, but an answer may be "unknown member",
 *       "illegal generation" or "not coordinator", and records come from the partitions' leaders,
 *       not the coordinator: it says nothing of this member's partitions;
 *   <li><em>membership</em> ({@link #member}): a commit Kafka acknowledged (the coordinator checks
 *       the generation, and the commit extends the member's session), a JoinGroup or SyncGroup
 *       answered with success, or an assignment completed.
 * </ul>
 *
 * <p>Kafka is lost when no answer has come for {@code lostAfter}, or when, owning partitions, no
 * membership has been proven for {@code lostAfter}: shorter than the session timeout, so delivery
 * is held before the group can have given those partitions to another member (the coordinator
 * unreachable while the leaders answer). It is back only on membership, so that no lane starts a
 * transaction for a partition this member was fenced from before the consumer has let it go (or,
 * owning nothing, on any answer). The consume loop proves membership at least every {@link
 * #proofInterval} (it commits its offsets again when nothing moved and the proof is that old). The
 * listener hears of each change once (the time of the last contact, or proof, when lost; null when
 * back).
 */
public final class KafkaContact {

  private static final Logger log = LoggerFactory.getLogger(ConsumeLoop.class);

  private final Duration lostAfter;
  private final Ticker ticker;
  private final Clock clock;
  private final Consumer<Instant> listener;
  private volatile long lastNanos; // read by the lanes (sinceContact)
  private Instant lastInstant;
  private long provenNanos;
  private Instant provenInstant;
  private boolean lost;
  private long lostNanos;

  /**
   * @param listener told the time of the last contact when Kafka is lost, and null when it is back
   */
  public KafkaContact(Duration lostAfter, Ticker ticker, Clock clock, Consumer<Instant> listener) {
    this.lostAfter = lostAfter;
    this.ticker = ticker;
    this.clock = clock;
    this.listener = listener;
    start();
  }

  /**
   * Starts both clocks again: the consumer loop starts now. Whatever ran between building this
   * judge and the loop (reading the suppression list, minutes at most) could not hear Kafka.
   */
  public void start() {
    lastNanos = provenNanos = ticker.read();
    lastInstant = provenInstant = clock.instant();
  }

  /**
   * How often membership is to be proven: a third of kafka-lost-after, so that one lost commit is
   * no loss.
   */
  Duration proofInterval() {
    return lostAfter.dividedBy(3);
  }

  /**
   * True when the last proof of membership is at least a {@link #proofInterval} old: time to prove
   * it again (an idle member commits its offsets again).
   */
  boolean proofDue() {
    return ticker.read() - provenNanos >= proofInterval().toNanos();
  }

  /** How long Kafka has not answered; readable from any thread. */
  public Duration sinceContact() {
    return Duration.ofNanos(Math.max(0, ticker.read() - lastNanos));
  }

  /** Kafka answered something; not, by itself, a sign that this member still owns anything. */
  public void answered() {
    lastNanos = ticker.read();
    lastInstant = clock.instant();
  }

  /** This member's place in the group is proven (a commit acknowledged, an assignment). */
  public void member() {
    answered();
    provenNanos = lastNanos;
    provenInstant = lastInstant;
    if (lost) {
      back();
    }
  }

  private void back() {
    lost = false;
    listener.accept(null);
  }

  /**
   * Declares Kafka lost once no answer has come for {@code lostAfter}, or, while {@code owning}
   * partitions, no membership proof.
   */
  public void check(boolean owning) {
    long now = ticker.read();
    if (!owning) { // nothing this member could be fenced from
      provenNanos = now;
      provenInstant = clock.instant();
    }
    if (lost) {
      if (!owning && lastNanos - lostNanos > 0) {
        back(); // answered since, and nothing this member could be fenced from
      }
      return;
    }
    long limit = lostAfter.toNanos();
    if (now - lastNanos >= limit) {
      declareLost(lastInstant);
    } else if (now - provenNanos >= limit) {
      log.warn(
          "Kafka answers, but no commit of this member was acknowledged for {} (its group"
              + " coordinator unreachable?): its place in the group is unproven",
          lostAfter);
      declareLost(provenInstant);
    }
  }

  private void declareLost(Instant since) {
    lost = true;
    lostNanos = ticker.read();
    listener.accept(since);
  }

  public boolean lost() {
    return lost;
  }
}
