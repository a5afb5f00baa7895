package dev.postbus.worker.delivery;

import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.DeliveryHeaders;
import java.time.Instant;
import java.util.List;

/**
 * One attempt at a delivery, as its headers describe it.
 *
 * @param number the number of this attempt (1 for the first)
 * @param firstFailure when an earlier attempt first failed, or null
 * @param only the recipients the record is limited to (after a partial send), or null for all
 */
record Attempt(Delivery delivery, int number, Instant firstFailure, List<String> only) {

  static Attempt of(Delivery d) {
    return new Attempt(
        d,
        DeliveryHeaders.attempts(d.headers()) + 1,
        DeliveryHeaders.firstFailure(d.headers()),
        DeliveryHeaders.recipients(d.headers()));
  }
}
