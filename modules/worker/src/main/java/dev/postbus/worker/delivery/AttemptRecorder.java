package dev.postbus.worker.delivery;

import dev.postbus.job.Job;
import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.TraceOnly;
import dev.postbus.worker.dedupe.DedupeIndex;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.outcome.Failure;
import dev.postbus.worker.outcome.OutcomeBatch;
import dev.postbus.worker.outcome.Outcomes;
import dev.postbus.worker.relay.Relay;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records how one lane's attempt ended: through {@link Outcomes} (events, retry records, dead
 * letters), on the suppression list, in the bounce-rate guard and on the relay (its rate and
 * count); each batch it ends is handed to the lane's {@link LedgerGate}. Used on the lane's thread.
 */
final class AttemptRecorder {

  private static final Logger log = LoggerFactory.getLogger(SenderLane.class);

  private final String name;
  private final SenderLane.Shared shared;
  private final OutcomeMapper mapper;
  private final LedgerGate ledgerGate;

  AttemptRecorder(String name, SenderLane.Shared shared, LedgerGate ledgerGate) {
    this.name = name;
    this.shared = shared;
    this.mapper = new OutcomeMapper(shared.classifier());
    this.ledgerGate = ledgerGate;
  }

  /**
   * The attempt ended with {@code f} for {@code recipients} (null for all of the record's) without
   * a relay's answer to record.
   *
   * @param job the decoded job, or null when it could not be decoded
   */
  void failed(Attempt a, Job job, Failure f, List<String> recipients) {
    OutcomeBatch batch = begin(a, job);
    batch.failed(f, null, recipients);
    end(batch);
  }

  /** The job is not due yet: it waits on the retry ladder until {@code notBefore}. */
  void scheduled(Attempt a, Job job, Instant notBefore) {
    OutcomeBatch batch = begin(a, job);
    batch.scheduled(notBefore, a.only());
    end(batch);
  }

  /**
   * Records what the relay answered. Once that answer is known an error of ours while recording it
   * must not make the job be sent again: each step is recorded on its own, an error is logged and
   * the batch still ends (at worst a delivery the relay took is finished without its event). An
   * error before anything was recorded, when the relay took nothing, is thrown (a retry then sends
   * nothing twice).
   */
  void answered(Attempt a, Preparation.Ready ready, RelayRoute.Sent sent) {
    Delivery d = a.delivery();
    OutcomeBatch batch = begin(a, ready.job());
    OutcomeMapper.Mapping m;
    try {
      m = mapper.map(ready, a.only(), sent.outcome());
    } catch (RuntimeException e) {
      if (!relayTookSome(sent.outcome())) {
        throw e;
      }
      recordingFailed(d, e);
      end(batch);
      return;
    }
    guarded(d, () -> relaySignals(d, sent.relay(), m));
    for (OutcomeMapper.Step step : m.steps()) {
      guarded(d, () -> recordStep(batch, step));
    }
    for (OutcomeMapper.Bounce b : m.bounces()) {
      guarded(d, () -> shared.suppressions().refused(b.address(), b.reply(), b.command()));
    }
    guarded(
        d,
        () ->
            shared
                .guard()
                .record(
                    ready.job().id(),
                    accepted(ready, sent.outcome(), m.accepted()),
                    m.refusedPermanently()));
    end(batch);
  }

  private OutcomeBatch begin(Attempt a, Job job) {
    return shared
        .outcomes()
        .begin(a.delivery(), job, a.number(), a.firstFailure(), a.fingerprint());
  }

  /**
   * The record's job id finished before with the same content: nothing is sent, a {@code duplicate}
   * event names the original.
   */
  void duplicate(Attempt a, Job job, DedupeIndex.Original original) {
    OutcomeBatch batch = begin(a, job);
    batch.duplicate(original.source(), original.offset(), original.outcome());
    batch.end();
  }

  private void end(OutcomeBatch batch) {
    batch.end();
    shared.dedupe().finished(batch); // what its ledger entry says, as a rebuild reads it
    ledgerGate.after(batch);
  }

  private void relaySignals(Delivery d, Relay relay, OutcomeMapper.Mapping m) {
    if (m.relayAccepted()) {
      relay.rate().accepted();
      relay.delivered();
    }
    if (m.slowDown()) {
      relay.rate().throttled(); // slow down; throttled recipients wait without an attempt
    }
    if (m.inDoubt() != null) {
      log.warn("{}: {} in doubt ({})", name, d, m.inDoubt());
    }
  }

  private static void recordStep(OutcomeBatch batch, OutcomeMapper.Step step) {
    if (step instanceof OutcomeMapper.Delivered s) {
      batch.delivered(s.reply(), s.recipients());
    } else if (step instanceof OutcomeMapper.Throttled s) {
      batch.throttled(s.failure(), s.retryAfter(), s.recipients());
    } else if (step instanceof OutcomeMapper.Failed s) {
      batch.failed(s.failure(), s.retryAfter(), s.recipients());
    }
  }

  /** The addresses the relay accepted: the guard keys the reports that come later by them. */
  static java.util.List<String> accepted(
      Preparation.Ready ready, SendOutcome outcome, int accepted) {
    if (accepted == 0) {
      return java.util.List.of();
    }
    java.util.Set<String> refused = new java.util.HashSet<>();
    if (outcome instanceof SendOutcome.RecipientsRefused r) {
      r.refused().forEach(x -> refused.add(x.address()));
    }
    return java.util.Arrays.stream(ready.recipients())
        .map(OutcomeMapper::address)
        .filter(a -> !refused.contains(a))
        .toList();
  }

  private static boolean relayTookSome(SendOutcome outcome) {
    return outcome instanceof SendOutcome.Delivered
        || (outcome instanceof SendOutcome.RecipientsRefused r && r.accepted() > 0);
  }

  private void guarded(Delivery d, Runnable part) {
    try {
      part.run();
    } catch (RuntimeException e) {
      recordingFailed(d, e);
    }
  }

  private void recordingFailed(Delivery d, RuntimeException e) {
    log.error(
        "{}: unexpected error while recording the relay's answer for {}; not sent again",
        name,
        d,
        TraceOnly.of(e));
  }
}
