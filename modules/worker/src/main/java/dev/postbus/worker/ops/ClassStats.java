package dev.postbus.worker.ops;

import dev.postbus.job.JobClass;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.TopicPartition;

/**
 * The figures of each job class ({@code class} tag: transactional, bulk): jobs by outcome,
 * publish→250 latency (a histogram here, a timer in /metrics), consumer lag of the class's topic
 * and jobs queued. Thread-safe.
 */
public final class ClassStats {

  /** The outcomes counted by class. */
  public static final List<String> OUTCOMES = List.of("delivered", "deferred", "dead-lettered");

  private final Map<JobClass, Map<String, LongAdder>> jobs = new EnumMap<>(JobClass.class);
  private final Map<JobClass, LatencyHistogram> latency = new EnumMap<>(JobClass.class);
  private final Map<JobClass, LatencyHistogram> permitWait = new EnumMap<>(JobClass.class);
  private final Map<JobClass, Long> lag = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<JobClass, Timer> timers = new EnumMap<>(JobClass.class);
  private final LongAdder mismatches = new LongAdder();

  public ClassStats() {
    for (JobClass c : JobClass.values()) {
      Map<String, LongAdder> byOutcome = new java.util.HashMap<>();
      OUTCOMES.forEach(o -> byOutcome.put(o, new LongAdder()));
      jobs.put(c, byOutcome);
      latency.put(c, new LatencyHistogram());
      permitWait.put(c, new LatencyHistogram());
      lag.put(c, 0L);
    }
  }

  /** Registers the meters in {@code registry}; {@code queued} tells the jobs queued of a class. */
  void register(MeterRegistry registry, ToIntFunction<JobClass> queued) {
    FunctionCounter.builder("postbus.class.mismatch", mismatches, LongAdder::sum)
        .description("Jobs whose class field disagreed with their topic (the topic decided)")
        .register(registry);
    for (JobClass c : JobClass.values()) {
      String tag = c.wire();
      for (String o : OUTCOMES) {
        FunctionCounter.builder("postbus.class.jobs", jobs.get(c).get(o), LongAdder::sum)
            .tag("class", tag)
            .tag("outcome", o)
            .description("Jobs by class and outcome")
            .register(registry);
      }
      timers.put(
          c,
          Timer.builder("postbus.class.publish.to.delivered")
              .tag("class", tag)
              .description("From the job's record timestamp to the relay's 2xx, by class")
              .publishPercentileHistogram()
              .register(registry));
      Gauge.builder("postbus.class.consumer.lag", lag, m -> m.getOrDefault(c, 0L))
          .tag("class", tag)
          .description(
              "Records of the class's topic (<topic> or <topic>.bulk) owned and not yet consumed")
          .register(registry);
      Gauge.builder("postbus.class.queue.depth", c, queued::applyAsInt)
          .strongReference(true)
          .tag("class", tag)
          .description("Jobs of the class waiting for a sender lane")
          .register(registry);
    }
  }

  /** A job's class field disagreed with its topic. */
  void mismatch() {
    mismatches.increment();
  }

  public long mismatches() {
    return mismatches.sum();
  }

  /** A job of class {@code c} ended an attempt as {@code outcome}. */
  public void record(JobClass c, String outcome, long publishedMillis, long nowMillis) {
    LongAdder n = jobs.get(c).get(outcome);
    if (n != null) {
      n.increment();
    }
    if (outcome.equals("delivered")) {
      long millis = Math.max(0, nowMillis - publishedMillis);
      latency.get(c).record(millis * 1000);
      Timer t = timers.get(c);
      if (t != null) {
        t.record(millis, TimeUnit.MILLISECONDS);
      }
    }
  }

  /** Jobs of class {@code c} that ended as {@code outcome}. */
  public long jobs(JobClass c, String outcome) {
    return jobs.get(c).get(outcome).sum();
  }

  /**
   * How long sends of class {@code c} (the class they waited in: a bulk send in a transactional
   * one's way at a domain counts as transactional) waited for their rate permits, when a limit was
   * set; for the bench.
   */
  public LatencyHistogram permitWait(JobClass c) {
    return permitWait.get(c);
  }

  /** A send of class {@code c} waited {@code nanos} for its rate permits. */
  void permitWait(JobClass c, long nanos) {
    permitWait.get(c).record(nanos / 1000);
  }

  /** Publish→250 of the deliveries of class {@code c}. */
  public LatencyHistogram publishToDelivered(JobClass c) {
    return latency.get(c);
  }

  /** The lag of each class's topic, summed over the owned partitions in {@code current}. */
  void lag(Map<TopicPartition, Long> current, String jobsTopic) {
    long t = 0;
    long b = 0;
    String bulkTopic = JobClass.BULK.topic(jobsTopic);
    for (var e : current.entrySet()) {
      if (e.getKey().topic().equals(jobsTopic)) {
        t += e.getValue();
      } else if (e.getKey().topic().equals(bulkTopic)) {
        b += e.getValue();
      }
    }
    lag.put(JobClass.TRANSACTIONAL, t);
    lag.put(JobClass.BULK, b);
  }

  /** The lag of class {@code c}'s topic, as last reported. */
  public long lag(JobClass c) {
    return lag.get(c);
  }
}
