package dev.postbus.bench;

/**
 * One run of one scenario. Latencies are null where the scenario has no publish step; the broker's
 * CPU and produce requests per message are null where it has no in-process broker (the requests
 * count every producer's: the publisher's, the outcome events', the ledger's). The ledger wait is
 * how long the workers' final dots were held for the send ledger, per message; null without one.
 */
record RunResult(
    String scenario,
    String sink,
    int connections,
    int workers,
    int messages,
    double seconds,
    double cpuSeconds,
    double jitSeconds,
    double peakHeapMiB,
    Double p50Millis,
    Double p99Millis,
    Double brokerCpuMsPerMessage,
    Double produceRequestsPerMessage,
    Double ledgerWaitMsPerMessage) {

  double messagesPerSecond() {
    return messages / seconds;
  }

  /** The share of the run's CPU the JIT compilers took (0 to 1); NaN when unknown. */
  double jitShare() {
    if (Double.isNaN(jitSeconds)) {
      return Double.NaN;
    }
    return cpuSeconds > 0 ? Math.min(1, jitSeconds / cpuSeconds) : 0;
  }

  double cpuSecondsPer1000() {
    return cpuSeconds / messages * 1000;
  }
}
