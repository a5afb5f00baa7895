package dev.postbus.worker.delivery;

import dev.postbus.job.PostbusHeaders;
import dev.postbus.worker.dedupe.Fingerprints;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.DeliveryHeaders;
import dev.postbus.worker.outcome.Failure;
import java.time.Instant;
import java.util.List;

/**
 * One attempt at a delivery, as its headers describe it. Whatever the headers hold, reading them
 * returns: a malformed recipient restriction makes the record poison (read as absent it would send
 * to every recipient), other malformed headers read as absent.
 *
 * @param number the number of this attempt (1 for the first)
 * @param firstFailure when an earlier attempt first failed, or null
 * @param only the recipients the record is limited to (after a partial send), or null for all
 * @param malformed why a header makes the record poison, or null
 * @param fingerprint of the record's value ({@link Fingerprints}), for idempotent publishing
 */
record Attempt(
    Delivery delivery,
    int number,
    Instant firstFailure,
    List<String> only,
    String malformed,
    byte[] fingerprint) {

  /**
   * The end of a poison reason about a {@code postbus.recipients} header the worker cannot use: the
   * dead letter has no restriction (its record factory keeps the header's bytes under {@link
   * PostbusHeaders#ORIGINAL_RECIPIENTS}, which nothing reads as one).
   */
  static final String REPLAY_SENDS_TO_ALL =
      "; replaying the dead letter sends to all the job's recipients (the header is kept as "
          + PostbusHeaders.ORIGINAL_RECIPIENTS
          + ")";

  static Attempt of(Delivery d) {
    List<String> only = null;
    String malformed = null;
    try {
      only = DeliveryHeaders.recipients(d.headers());
    } catch (DeliveryHeaders.MalformedHeader e) {
      malformed = e.getMessage() + REPLAY_SENDS_TO_ALL;
    }
    int made = DeliveryHeaders.attempts(d.headers());
    return new Attempt(
        d,
        made == Integer.MAX_VALUE ? made : made + 1,
        DeliveryHeaders.firstFailure(d.headers()),
        only,
        malformed,
        Fingerprints.of(d.value()));
  }

  /** The job prepared for this attempt, or refused as poison when a header is malformed. */
  Preparation.Result prepare(Preparation preparation) {
    return malformed != null
        ? preparation.refuse(delivery.value(), Failure.poison(malformed))
        : preparation.prepare(delivery.value(), only);
  }
}
