package dev.postbus.worker.relay;

import dev.postbus.smtp.SmtpConnection;
import dev.postbus.worker.config.RelayConfig;
import dev.postbus.worker.config.RelayMode;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;

/**
 * Relays whose pools close a surplus connection with {@code disconnect}, for tests of other
 * packages (one that throws makes a give-back throw, its slot freed).
 */
public final class ClosingRelays {

  private ClosingRelays() {}

  /** As the worker builds them, each pool closing surplus connections with {@code disconnect}. */
  public static Relays of(
      List<RelayConfig> configs,
      RelayMode mode,
      IntervalFunction backoff,
      Clock clock,
      Consumer<Boolean> onAllOut,
      double bulkFloor,
      Consumer<SmtpConnection> disconnect) {
    return new Relays(
        configs,
        mode,
        null,
        backoff,
        clock,
        onAllOut,
        bulkFloor,
        connections -> new ConnectionPool(connections, disconnect));
  }
}
