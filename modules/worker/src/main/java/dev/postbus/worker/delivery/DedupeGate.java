package dev.postbus.worker.delivery;

import dev.postbus.job.PostbusHeaders;
import dev.postbus.worker.dedupe.Dedupe;
import dev.postbus.worker.dedupe.Fingerprints;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.outcome.OutcomeBatch;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * A lane's side of idempotent publishing ({@link Dedupe}): how a record is checked (a retry tier's
 * record, {@link Dedupe.Origin#RETRIED}, and a replay, which carries {@link
 * PostbusHeaders#REPLAY_COUNT}, {@link Dedupe.Origin#REPLAYED}, are sent on purpose unless their id
 * was delivered with the same content, and always when they are for a part of the job's recipients;
 * a jobs topic's record is not sent over any finish of its id), the verdict for one, and telling
 * what finished. Off ({@link #OFF}) with {@code dedupe.window=0} or the ledger off: every verdict
 * is Send and nothing is claimed.
 */
public final class DedupeGate {

  public static final DedupeGate OFF = new DedupeGate(null, Set.of());

  private final Dedupe dedupe;
  private final Set<String> tierTopics;

  /**
   * @param tierTopics the retry tiers' topics, whose records are checked as {@link
   *     Dedupe.Origin#RETRIED}
   */
  public DedupeGate(Dedupe dedupe, Set<String> tierTopics) {
    this.dedupe = dedupe;
    this.tierTopics = Set.copyOf(tierTopics);
  }

  /** True when records are checked (dedupe is on). */
  boolean checked() {
    return dedupe != null;
  }

  /**
   * A retry tier's origin for a record read from a tier (a replay's retry too: it carries {@code
   * replay-count} on), a replay's when the record carries {@code replay-count}, else a
   * publication's.
   */
  Dedupe.Origin origin(Delivery d) {
    if (tierTopics.contains(d.partition().topic())) {
      return Dedupe.Origin.RETRIED;
    }
    return d.headers() != null && d.headers().lastHeader(PostbusHeaders.REPLAY_COUNT) != null
        ? Dedupe.Origin.REPLAYED
        : Dedupe.Origin.PUBLISHED;
  }

  /**
   * True for a record the check leaves alone: a retry's or a replay's for a part of its job's
   * recipients ({@link PostbusHeaders#RECIPIENTS}). The index keeps one finish per id, and the
   * content it compares is the payload, the same for every part: a part delivered would make the
   * record of another part (one throttled, another deferred, by the same attempt) look like its
   * copy, and its recipients would never be mailed. Sent, as before the check.
   */
  private boolean aPartOfItsJob(Delivery d) {
    return origin(d) != Dedupe.Origin.PUBLISHED
        && d.headers() != null
        && d.headers().lastHeader(PostbusHeaders.RECIPIENTS) != null;
  }

  /**
   * The verdict for a record of job {@code jobId}, waiting while another record of that id is being
   * sent; Send when not checked; null when {@code giveUp} says so first.
   */
  Dedupe.Verdict claim(Attempt a, String jobId, BooleanSupplier giveUp)
      throws InterruptedException {
    Delivery d = a.delivery();
    if (!checked() || aPartOfItsJob(d)) {
      return new Dedupe.Send();
    }
    return dedupe.claim(
        d,
        d.partition(),
        d.offset(),
        Fingerprints.idHash(jobId),
        Fingerprints.head(a.fingerprint()),
        origin(d),
        giveUp);
  }

  /**
   * The verdict now, for a job taken ahead: null when it cannot be decided yet (another record of
   * its id is being sent): its envelope is then not announced ahead.
   */
  Dedupe.Verdict tryClaim(Attempt a, String jobId) {
    Delivery d = a.delivery();
    if (!checked() || aPartOfItsJob(d)) {
      return new Dedupe.Send();
    }
    return dedupe.tryClaim(
        d,
        d.partition(),
        d.offset(),
        Fingerprints.idHash(jobId),
        Fingerprints.head(a.fingerprint()),
        origin(d));
  }

  /**
   * A record finished ({@code batch}, whose ledger entry is on its way): its id is known as
   * finished, as a rebuild of the index from the ledger would have it, claimed or not (a duplicate
   * holds no claim), and a claim it holds ends.
   */
  void finished(OutcomeBatch batch) {
    if (dedupe == null) {
      return;
    }
    Delivery d = batch.delivery();
    if (!dedupe.finished(d, batch.outcome()) && batch.jobId() != null) {
      dedupe.recorded(
          d.partition(),
          d.offset(),
          Fingerprints.idHash(batch.jobId()),
          Fingerprints.head(batch.fingerprint()),
          batch.outcome());
    }
  }

  /** Its attempt ended: a claim it still holds ends (no outcome was recorded). */
  void release(Delivery d) {
    if (dedupe != null) {
      dedupe.release(d);
    }
  }
}
