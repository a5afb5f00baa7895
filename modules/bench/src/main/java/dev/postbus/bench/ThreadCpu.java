package dev.postbus.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time per Java thread between two moments, summed by part of the process (the feedback
 * receiver, the broker, the load generator), told apart by thread name. Threads that ended between
 * the two moments are not counted; GC and JIT threads are not Java threads: they are what the
 * process's CPU has beyond the sum.
 */
final class ThreadCpu {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** What a thread's name says it is part of. */
  enum Part {
    RECEIVER("receiver (Jetty threads, its producer's I/O thread, the soft-bounce follower)"),
    BROKER("broker"),
    CLIENTS("load generator (the clients' threads, one keep-alive connection each)"),
    OTHER("other Java threads");

    final String label;

    Part(String label) {
      this.label = label;
    }

    static Part of(String name, String clientPrefix) {
      if (name.startsWith("JettyServerThreadPool")
          || name.startsWith("kafka-producer-network-thread | postbus-feedback")
          || name.startsWith("postbus-feedback")) {
        return RECEIVER;
      }
      if (BrokerCpu.broker(name)) {
        return BROKER;
      }
      if (name.startsWith(clientPrefix)) {
        return CLIENTS;
      }
      return OTHER;
    }
  }

  private final Map<Long, Long> start;

  private ThreadCpu(Map<Long, Long> start) {
    this.start = start;
  }

  /** The CPU time of every live thread now. */
  static ThreadCpu now() {
    return new ThreadCpu(snapshot(new HashMap<>()));
  }

  /** The CPU each part used since {@link #now}, in seconds; threads started since count from 0. */
  Map<Part, Double> since(String clientPrefix) {
    Map<Part, Double> out = new TreeMap<>();
    for (Part p : Part.values()) {
      out.put(p, 0.0);
    }
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      long cpu = THREADS.getThreadCpuTime(t.getId());
      if (cpu > 0) {
        long used = cpu - start.getOrDefault(t.getId(), 0L);
        out.merge(Part.of(t.getName(), clientPrefix), used / 1e9, Double::sum);
      }
    }
    return out;
  }

  private static Map<Long, Long> snapshot(Map<Long, Long> into) {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      long cpu = THREADS.getThreadCpuTime(t.getId());
      if (cpu > 0) {
        into.put(t.getId(), cpu);
      }
    }
    return into;
  }
}
