package dev.postbus.bench;

import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.lifecycle.Worker;
import dev.postbus.worker.ops.LatencyHistogram;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Postbus end to end: jobs published to Kafka, W workers in one group with K connections each
 * delivering them. The clock runs from the first publish to the last 2xx; the workers have joined
 * the group before.
 */
final class PostbusScenario implements Scenario {

  private static final long TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(15);

  @Override
  public String name() {
    return "postbus";
  }

  @Override
  public RunResult run(Context ctx, int k, String sink) throws Exception {
    String run = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    int partitions = Math.max(6, 2 * ctx.workers());
    List<Worker> workers = new ArrayList<>();
    try {
      for (int i = 0; i < ctx.workers(); i++) {
        workers.add(Worker.start(config(ctx, run, k, partitions, i)));
      }
      long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (workers.stream().mapToInt(Worker::ownedPartitions).sum() < partitions
          || workers.stream().anyMatch(w -> w.ownedPartitions() == 0)) {
        if (System.nanoTime() > settle) {
          throw new IllegalStateException("workers did not share the partitions within 60 s");
        }
        Thread.sleep(20);
      }
      Workload w = ctx.workload();
      Measurement m = Measurement.start();
      long brokerStart = BrokerCpu.nanos();
      long requestsStart = BrokerRequests.produce();
      long ledgerWaitStart = ledgerWaitNanos(workers);
      try (JobPublisher publisher = JobPublisher.create(PublisherConfig.of(ctx.bootstrap(), run))) {
        List<CompletableFuture<?>> sent = new ArrayList<>(w.messages());
        long interval = ctx.publishRate() > 0 ? (long) (1e9 / ctx.publishRate()) : 0;
        long next = System.nanoTime();
        for (int i = 0; i < w.messages(); i++) {
          if (interval > 0) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
              java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            next += interval;
          }
          sent.add(publisher.publish(w.job(run, i)));
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
      }
      long deadline = System.nanoTime() + TIMEOUT_NANOS;
      while (delivered(workers) < w.messages()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "only " + delivered(workers) + " of " + w.messages() + " delivered in time");
        }
        Thread.sleep(1);
      }
      double seconds = m.seconds();
      double cpu = m.cpuSeconds();
      double jit = m.jitSeconds();
      double brokerMs = (BrokerCpu.nanos() - brokerStart) / 1e6 / w.messages();
      long requests = BrokerRequests.produce() - requestsStart;
      double heap = Measurement.peakHeapMiB();
      double ledgerWaitMs = (ledgerWaitNanos(workers) - ledgerWaitStart) / 1e6 / w.messages();
      LatencyHistogram latency = workers.get(0).stats().publishToDelivered();
      for (int i = 1; i < workers.size(); i++) {
        latency = worse(latency, workers.get(i).stats().publishToDelivered());
      }
      return new RunResult(
          name(),
          sink,
          k,
          ctx.workers(),
          w.messages(),
          seconds,
          cpu,
          jit,
          heap,
          latency.percentile(0.50).toNanos() / 1e6,
          latency.percentile(0.99).toNanos() / 1e6,
          brokerMs > 0 ? brokerMs : null,
          requestsStart >= 0 ? requests / (double) w.messages() : null,
          workers.stream().anyMatch(x -> x.stats().ledgerWaits() > 0) ? ledgerWaitMs : null);
    } finally {
      workers.forEach(Worker::close);
    }
  }

  private static LatencyHistogram worse(LatencyHistogram a, LatencyHistogram b) {
    return a.percentile(0.99).compareTo(b.percentile(0.99)) >= 0 ? a : b;
  }

  private static long ledgerWaitNanos(List<Worker> workers) {
    return workers.stream().mapToLong(x -> x.stats().ledgerWaitNanos()).sum();
  }

  private static long delivered(List<Worker> workers) {
    return workers.stream().mapToLong(x -> x.stats().snapshot().delivered()).sum();
  }

  private static WorkerConfig config(Context ctx, String run, int k, int partitions, int index) {
    Map<String, String> v = new HashMap<>();
    v.put("kafka.bootstrap-servers", ctx.bootstrap());
    v.put("topic", run);
    v.put("group", run);
    v.put("events.topic", run + ".events");
    v.put("worker.id", run + "-w" + index);
    v.put("smtp.host", ctx.host());
    v.put("smtp.port", Integer.toString(ctx.port()));
    v.put("smtp.tls", "none");
    v.put("smtp.connections", Integer.toString(k));
    v.put("topics.partitions", Integer.toString(partitions));
    v.put("http.port", "0");
    v.putAll(ctx.workerSettings());
    return WorkerConfig.from(Settings.of(v));
  }
}
