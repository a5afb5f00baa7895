package dev.postbus.bench;

/**
 * One run of one scenario. Latencies are null where the scenario has no publish step; the broker's
 * CPU and produce requests per message are null where it has no in-process broker (the requests
 * count every producer's: the publisher's, the outcome events', the ledger's).
 */
record RunResult(
    String scenario,
    String sink,
    int connections,
    int workers,
    int messages,
    double seconds,
    double cpuSeconds,
    double peakHeapMiB,
    Double p50Millis,
    Double p99Millis,
    Double brokerCpuMsPerMessage,
    Double produceRequestsPerMessage) {

  double messagesPerSecond() {
    return messages / seconds;
  }

  double cpuSecondsPer1000() {
    return cpuSeconds / messages * 1000;
  }
}
