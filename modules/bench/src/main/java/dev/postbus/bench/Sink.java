package dev.postbus.bench;

import java.time.Duration;

/** Where the scenarios send: our in-process sink (fast, or with delays), or an external one (smtp-sink). */
record Sink(String label, String host, int port, Duration dataDelay, Duration rtt) {

  /** {@code fast}, {@code delay:50ms}, {@code rtt:10ms}, or {@code host:port} of an external sink. */
  static Sink parse(String spec) {
    if (spec.equals("fast")) {
      return new Sink("fast", null, 0, Duration.ZERO, Duration.ZERO);
    }
    if (spec.startsWith("delay:")) {
      return new Sink(spec, null, 0, dev.postbus.worker.config.ValueType.duration(Duration.ZERO, Duration.ofMinutes(1))
          .parse().apply(spec.substring(6)), Duration.ZERO);
    }
    if (spec.startsWith("rtt:")) {
      return new Sink(spec, null, 0, Duration.ZERO, dev.postbus.worker.config.ValueType.duration(Duration.ZERO,
          Duration.ofMinutes(1)).parse().apply(spec.substring(4)));
    }
    int colon = spec.lastIndexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException("--sink must be fast, delay:<ms>, rtt:<ms> or host:port; got '" + spec + "'");
    }
    return new Sink(spec, spec.substring(0, colon), Integer.parseInt(spec.substring(colon + 1)), Duration.ZERO, Duration.ZERO);
  }

  boolean external() {
    return host != null;
  }

  /** The time K connections need at least, per message, against this sink (for the "K ÷ delay" ceiling). */
  Duration perMessageFloor() {
    return dataDelay.plus(rtt.multipliedBy(3));
  }
}
