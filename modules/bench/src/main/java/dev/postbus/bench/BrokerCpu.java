package dev.postbus.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time of the in-process Kafka broker's threads (request handlers, network threads, log, raft,
 * group coordinator...), told apart from the clients' threads in the same JVM by name. What the
 * postbus scenario costs the user's Kafka cluster, per message.
 */
final class BrokerCpu {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private BrokerCpu() {}

  /** The sum over the broker's live threads, in nanoseconds. */
  static long nanos() {
    long total = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (broker(t.getName())) {
        long cpu = THREADS.getThreadCpuTime(t.getId());
        if (cpu > 0) {
          total += cpu;
        }
      }
    }
    return total;
  }

  static boolean broker(String name) {
    if (name.startsWith("kafka-producer")
        || name.startsWith("kafka-coordinator")
        || name.startsWith("kafka-admin-client")) {
      return false; // clients
    }
    return name.startsWith("data-plane-kafka")
        || name.startsWith("kafka-")
        || name.startsWith("quorum-controller")
        || name.startsWith("group-coordinator")
        || name.startsWith("share-coordinator")
        || name.startsWith("transaction-coordinator")
        || name.startsWith("log-")
        || name.startsWith("ExpirationReaper")
        || name.contains("raft")
        || name.startsWith("controller-")
        || name.startsWith("broker-")
        || name.startsWith("LogDirFailureHandler")
        || name.startsWith("ReplicaFetcher");
  }
}
