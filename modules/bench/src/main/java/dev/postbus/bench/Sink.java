package dev.postbus.bench;

import dev.postbus.worker.config.ValueType;
import java.time.Duration;

/**
 * Where the scenarios send: our in-process sink (fast, with delays, or behind a latency proxy), or
 * an external one (smtp-sink).
 *
 * @param latency the round-trip time of the proxy in front of our sink (zero: none)
 */
record Sink(
    String label, String host, int port, Duration dataDelay, Duration rtt, Duration latency) {

  /**
   * {@code fast}, {@code delay:50ms}, {@code rtt:10ms}, {@code latency:10ms}, or {@code host:port}
   * of an external sink.
   */
  static Sink parse(String spec) {
    if (spec.equals("fast")) {
      return new Sink("fast", null, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO);
    }
    if (spec.startsWith("delay:")) {
      return new Sink(spec, null, 0, time(spec, 6), Duration.ZERO, Duration.ZERO);
    }
    if (spec.startsWith("rtt:")) {
      return new Sink(spec, null, 0, Duration.ZERO, time(spec, 4), Duration.ZERO);
    }
    if (spec.startsWith("latency:")) {
      return new Sink(spec, null, 0, Duration.ZERO, Duration.ZERO, time(spec, 8));
    }
    int colon = spec.lastIndexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException(
          "--sink must be fast, delay:<time>, rtt:<time>, latency:<time> or host:port; got '"
              + spec
              + "'");
    }
    return new Sink(
        spec,
        spec.substring(0, colon),
        Integer.parseInt(spec.substring(colon + 1)),
        Duration.ZERO,
        Duration.ZERO,
        Duration.ZERO);
  }

  private static Duration time(String spec, int from) {
    return ValueType.duration(Duration.ZERO, Duration.ofMinutes(1))
        .parse()
        .apply(spec.substring(from));
  }

  boolean external() {
    return host != null;
  }

  /**
   * The least time a connection needs per message against this sink (for the "K ÷ time" ceiling).
   */
  Duration perMessageFloor() {
    return dataDelay.plus(rtt.multipliedBy(3)).plus(latency);
  }
}
