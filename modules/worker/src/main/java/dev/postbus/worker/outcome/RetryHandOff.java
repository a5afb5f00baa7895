package dev.postbus.worker.outcome;

import dev.postbus.smtp.OutcomeClass;
import dev.postbus.worker.config.InDoubtPolicy;
import dev.postbus.worker.retry.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where an attempt that did not end the job goes on the retry ladder: after a failure, a throttle
 * or for a job scheduled for later. Pure decisions (the batch writes the records).
 */
final class RetryHandOff {

  /** Where the job goes next. */
  sealed interface Next permits OnLadder, GiveUp {}

  /**
   * On the ladder's tier {@code topic} until {@code due}, with {@code attempts} counted so far and
   * its first failure ({@code first}, null when none yet).
   */
  record OnLadder(String topic, Instant due, int attempts, Instant first) implements Next {}

  /** Dead-lettered with {@code failure} (an expired one when the ladder gave up). */
  record GiveUp(Failure failure) implements Next {}

  private final RetryPolicy ladder;
  private final InDoubtPolicy inDoubtPolicy;
  private final String jobsTopic;

  RetryHandOff(RetryPolicy ladder, InDoubtPolicy inDoubtPolicy, String jobsTopic) {
    this.ladder = ladder;
    this.inDoubtPolicy = inDoubtPolicy;
    this.jobsTopic = jobsTopic;
  }

  /**
   * A failure: retried on the ladder when transient (and, in doubt, only when the in-doubt policy
   * retries), dead-lettered otherwise or once the ladder gives up.
   *
   * @param attempt the number of the attempt that failed (1 for the first)
   * @param firstFailure when an earlier attempt first failed, or null
   * @param hint the relay's "try again in" hint, or null
   */
  Next afterFailure(Failure f, int attempt, Instant firstFailure, Instant now, Duration hint) {
    boolean retry =
        f.outcomeClass() == OutcomeClass.TRANSIENT
            && !(f.inDoubt() && inDoubtPolicy == InDoubtPolicy.DEAD_LETTER);
    if (!retry) {
      return new GiveUp(f);
    }
    Instant first = firstFailure == null ? now : firstFailure;
    RetryPolicy.Decision decision =
        ladder.next(attempt, first, now, hint, ThreadLocalRandom.current()::nextDouble);
    if (decision instanceof RetryPolicy.GiveUp giveUp) {
      return new GiveUp(f.expired(giveUp.reason()));
    }
    RetryPolicy.RetryAt at = (RetryPolicy.RetryAt) decision;
    return new OnLadder(ladder.topic(jobsTopic, at.tier()), at.due(), attempt, first);
  }

  /**
   * The relay asked us to slow down: the job waits on the first tier of the ladder (or as long as
   * the relay asked). The first throttle of a job does not count as an attempt but starts the clock
   * of {@code retry.max-age}; every later one counts against {@code retry.max-attempts}, so a
   * throttle that never ends becomes a dead letter (expired) like any other failure.
   */
  Next afterThrottle(Failure f, int attempt, Instant firstFailure, Instant now, Duration hint) {
    Instant first = firstFailure == null ? now : firstFailure;
    int counted = firstFailure == null ? attempt - 1 : attempt;
    if (firstFailure != null
        && ladder.next(counted, first, now, null, () -> 0.5) instanceof RetryPolicy.GiveUp giveUp) {
      return new GiveUp(f.expired(giveUp.reason()));
    }
    Duration wait = ladder.delays().get(0);
    if (hint != null && hint.compareTo(wait) > 0) {
      wait = hint;
    }
    return hold(now.plus(wait), now, counted, first);
  }

  /**
   * The job is scheduled for later: it waits on the ladder until {@code notBefore}, without
   * counting an attempt.
   */
  OnLadder scheduled(Instant notBefore, Instant now, int attempt, Instant firstFailure) {
    return hold(notBefore, now, attempt - 1, firstFailure);
  }

  private OnLadder hold(Instant until, Instant now, int attempts, Instant first) {
    RetryPolicy.RetryAt at = ladder.hold(until, now);
    return new OnLadder(ladder.topic(jobsTopic, at.tier()), at.due(), attempts, first);
  }
}
