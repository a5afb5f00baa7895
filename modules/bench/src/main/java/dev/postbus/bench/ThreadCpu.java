package dev.postbus.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * CPU time per Java thread between two moments, summed by part of the process (the feedback
 * receiver, the broker, the load generator), told apart by thread name. Threads are sampled every
 * {@link #EVERY} in between, so a thread that ends meanwhile (a Jetty pool thread that idled out)
 * counts what it had used at its last sample; GC and JIT threads are not Java threads: they are
 * what the process's CPU has beyond the sum.
 */
final class ThreadCpu {

  /** How often threads are sampled: what a thread that ended may have used unseen, at most. */
  static final Duration EVERY = Duration.ofMillis(200);

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

  /** A thread's name and its CPU time when last seen. */
  private record Seen(String name, long cpu) {}

  private final Map<Long, Long> start;
  private final Map<Long, Seen> last = new ConcurrentHashMap<>();
  private final ScheduledExecutorService sampler;

  private ThreadCpu(Map<Long, Long> start) {
    this.start = start;
    this.sampler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "bench-thread-cpu");
              t.setDaemon(true);
              return t;
            });
    sampler.scheduleAtFixedRate(
        this::sample, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The CPU time of every live thread now; sampled every {@link #EVERY} until {@link #since}. */
  static ThreadCpu now() {
    Map<Long, Long> start = new HashMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      long cpu = THREADS.getThreadCpuTime(t.getId());
      if (cpu > 0) {
        start.put(t.getId(), cpu);
      }
    }
    return new ThreadCpu(start);
  }

  /** Notes the CPU time of every live thread (thread ids are not reused). */
  void sample() {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      long cpu = THREADS.getThreadCpuTime(t.getId());
      if (cpu > 0) {
        last.put(t.getId(), new Seen(t.getName(), cpu));
      }
    }
  }

  /**
   * The CPU each part used since {@link #now}, in seconds (threads started since count from 0,
   * threads that ended since count until their last sample); stops the sampling.
   */
  Map<Part, Double> since(String clientPrefix) {
    sampler.shutdownNow();
    try {
      sampler.awaitTermination(10, TimeUnit.SECONDS); // no sample after the last below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sample();
    Map<Part, Double> out = new TreeMap<>();
    for (Part p : Part.values()) {
      out.put(p, 0.0);
    }
    for (Map.Entry<Long, Seen> e : last.entrySet()) {
      long used = e.getValue().cpu() - start.getOrDefault(e.getKey(), 0L);
      out.merge(Part.of(e.getValue().name(), clientPrefix), used / 1e9, Double::sum);
    }
    return out;
  }
}
