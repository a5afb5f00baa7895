package dev.postbus.bench;

import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.job.JobClass;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.lifecycle.Worker;
import dev.postbus.worker.ops.ClassStats;
import dev.postbus.worker.topics.TopicProvisioner;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * {@code postbus bench classes}: transactional mail under a bulk backlog. One worker with K
 * connections, on an in-process broker and sink. Four runs, each on topics of its own:
 * transactional jobs alone at {@code rate}/s (idle), bulk jobs alone (N published first), N bulk
 * jobs published first then transactional ones at {@code rate}/s until the backlog is drained, and
 * the same with {@code classes.enabled=false} (the behaviour before the classes). Prints
 * transactional publish→250 p50/p99 and bulk throughput of each.
 */
public final class ClassesLoad {

  private static final int PARTITIONS = 6;
  private static final long TIMEOUT_NANOS = TimeUnit.HOURS.toNanos(2);

  /** What one run measured. */
  record Figures(String run, long transactional, double p50Ms, double p99Ms, double bulkPerS) {}

  /** What the floor run measured: sends of each class in its window. */
  record FloorFigures(
      long transactional,
      long bulk,
      double floor,
      double txWaitP50Ms,
      double txWaitP99Ms,
      double bulkWaitP50Ms,
      double bulkWaitP99Ms) {
    double bulkShare() {
      long all = transactional + bulk;
      return all == 0 ? 0 : (double) bulk / all;
    }
  }

  private final int bulk;
  private final double rate;
  private final int k;
  private final Duration idle;
  private final String sinkSpec;
  private final PrintStream out;
  private final Floor floor;

  /**
   * The floor run: both classes' backlogs larger than the worker can send in {@code window} at
   * {@code rateLimit}/s, so transactional mail always waits; {@code window} zero skips it.
   */
  public record Floor(int rateLimit, Duration window) {
    public Floor {
      if (window.isNegative()) {
        throw new IllegalArgumentException("--floor-for: must be ≥ 0, got " + window);
      }
      if (!window.isZero() && rateLimit < 1) {
        throw new IllegalArgumentException(
            "--floor-rate: must be ≥ 1 for a floor run (--floor-for 0s skips it), got "
                + rateLimit);
      }
    }
  }

  public ClassesLoad(
      int bulk, double rate, int k, Duration idle, String sinkSpec, PrintStream out) {
    this(bulk, rate, k, idle, sinkSpec, out, new Floor(200, Duration.ZERO));
  }

  public ClassesLoad(
      int bulk, double rate, int k, Duration idle, String sinkSpec, PrintStream out, Floor floor) {
    if (bulk < 1 || rate <= 0 || k < 2) {
      throw new IllegalArgumentException("--bulk ≥ 1, --rate > 0 and --connections ≥ 2 needed");
    }
    this.floor = floor;
    this.bulk = bulk;
    this.rate = rate;
    this.k = k;
    this.idle = idle;
    this.sinkSpec = sinkSpec;
    this.out = out;
  }

  public List<Figures> run() throws Exception {
    dev.postbus.smtp.SmtpConnection.initMail();
    Sink sink = Sink.parse(sinkSpec);
    if (sink.external()) {
      throw new IllegalArgumentException("--sink: give fast, delay:, rtt: or latency:");
    }
    try (EmbeddedKafka kafka = EmbeddedKafka.startEphemeral();
        BenchSink ours = new BenchSink(sink.dataDelay(), sink.rtt());
        LatencyProxy proxy =
            sink.latency().isZero()
                ? null
                : new LatencyProxy("127.0.0.1", ours.port(), sink.latency())) {
      int port = proxy == null ? ours.port() : proxy.port();
      Target t = new Target(kafka.bootstrapServers(), port);
      List<Figures> all = new ArrayList<>();
      out.printf(
          "bench classes: sink %s, K=%d, one worker, %d bulk jobs, transactional at %.0f/s%n",
          sink.label(), k, bulk, rate);
      all.add(print(backlogRun(t, "bulk alone", false, true)));
      all.add(print(backlogRun(t, "bulk + transactional", true, true)));
      all.add(print(backlogRun(t, "bulk + transactional, --classes off", true, false)));
      all.add(print(idleRun(t))); // last: on a warm JVM, as the runs before it
      if (!floor.window().isZero()) {
        print(floorRun(t));
      }

      return all;
    }
  }

  private record Target(String bootstrap, int port) {}

  private Figures print(Figures f) {
    out.printf(
        "  %-38s transactional %6d  p50 %9.1f ms  p99 %9.1f ms   bulk %8.1f msg/s%n",
        f.run(), f.transactional(), f.p50Ms(), f.p99Ms(), f.bulkPerS());
    return f;
  }

  private Figures idleRun(Target t) throws Exception {
    String topic = topic();
    try (Worker w = start(config(t, topic, true))) {
      long deadline = System.nanoTime() + idle.toNanos();
      int sent = trickle(t, topic, () -> System.nanoTime() > deadline);
      ClassStats s = w.stats().classes();
      await(() -> s.jobs(JobClass.TRANSACTIONAL, "delivered") >= sent);
      return figures("transactional alone (idle)", s, sent, 0);
    }
  }

  private Figures backlogRun(Target t, String name, boolean trickle, boolean classes)
      throws Exception {
    String topic = topic();
    WorkerConfig config = config(t, topic, classes);
    provision(t, config);
    publish(t, topic, JobClass.BULK, bulk, 0);
    try (Worker w = start(config)) {
      ClassStats s = w.stats().classes();
      long start = System.nanoTime();
      BooleanSupplier drained = () -> s.jobs(JobClass.BULK, "delivered") >= bulk;
      int sent = trickle ? trickle(t, topic, drained) : 0;
      await(drained);
      double seconds = (System.nanoTime() - start) / 1e9;
      await(() -> s.jobs(JobClass.TRANSACTIONAL, "delivered") >= sent);
      return figures(name, s, sent, bulk / seconds);
    }
  }

  /**
   * Transactional and bulk backlogs of twice what the worker sends in the window at the rate limit
   * each, so both classes wait all along (transactional mail published faster than it is sent);
   * counts each class's sends over the window, from the worker owning its partitions.
   */
  private FloorFigures floorRun(Target t) throws Exception {
    String topic = topic();
    Map<String, String> extra = Map.of("rate-limit", Integer.toString(floor.rateLimit()));
    WorkerConfig config = config(t, topic, true, extra);
    provision(t, config);
    int each =
        (int) Math.max(1_000, Math.ceil(2.0 * floor.rateLimit() * floor.window().toMillis() / 1e3));
    publish(t, topic, JobClass.BULK, each, 0);
    publish(t, topic, JobClass.TRANSACTIONAL, each, 0);
    try (Worker w = start(config)) {
      ClassStats s = w.stats().classes();
      long startTx = s.jobs(JobClass.TRANSACTIONAL, "delivered");
      long startBulk = s.jobs(JobClass.BULK, "delivered");
      Thread.sleep(floor.window().toMillis()); // a bench: the window is the measurement
      return new FloorFigures(
          s.jobs(JobClass.TRANSACTIONAL, "delivered") - startTx,
          s.jobs(JobClass.BULK, "delivered") - startBulk,
          config.classes().bulkFloor(),
          ms(s.permitWait(JobClass.TRANSACTIONAL).percentile(0.5)),
          ms(s.permitWait(JobClass.TRANSACTIONAL).percentile(0.99)),
          ms(s.permitWait(JobClass.BULK).percentile(0.5)),
          ms(s.permitWait(JobClass.BULK).percentile(0.99)));
    }
  }

  private static double ms(Duration d) {
    return d.toNanos() / 1e6;
  }

  private FloorFigures print(FloorFigures f) {
    out.printf(
        "  floor: both classes' backlogs, rate-limit %d/s, %.1f s: transactional %d, bulk %d"
            + " = %.1f%% of sends (classes.bulk-floor %.0f%%); wait for a rate permit:"
            + " transactional p50 %.1f ms, p99 %.1f ms, bulk p50 %.1f ms, p99 %.1f ms%n",
        floor.rateLimit(),
        floor.window().toMillis() / 1e3,
        f.transactional(),
        f.bulk(),
        100 * f.bulkShare(),
        100 * f.floor(),
        f.txWaitP50Ms(),
        f.txWaitP99Ms(),
        f.bulkWaitP50Ms(),
        f.bulkWaitP99Ms());
    return f;
  }

  private static Figures figures(String name, ClassStats s, int sent, double bulkPerS) {
    var h = s.publishToDelivered(JobClass.TRANSACTIONAL);
    return new Figures(
        name,
        sent,
        h.percentile(0.50).toNanos() / 1e6,
        h.percentile(0.99).toNanos() / 1e6,
        bulkPerS);
  }

  /** Publishes transactional jobs at the rate until {@code stop}; returns how many. */
  private int trickle(Target t, String topic, BooleanSupplier stop) {
    long interval = (long) (1e9 / rate);
    long next = System.nanoTime();
    int n = 0;
    try (JobPublisher p = JobPublisher.create(PublisherConfig.of(t.bootstrap(), topic))) {
      while (!stop.getAsBoolean()) {
        LockSupport.parkNanos(next - System.nanoTime());
        next += interval;
        p.publish(job(topic + "-tx", n++, JobClass.TRANSACTIONAL)).join();
      }
    }
    return n;
  }

  private void publish(Target t, String topic, JobClass c, int n, int from) {
    try (JobPublisher p = JobPublisher.create(PublisherConfig.of(t.bootstrap(), topic))) {
      List<CompletableFuture<?>> sent = new ArrayList<>();
      for (int i = from; i < from + n; i++) {
        sent.add(p.publish(job(topic + "-" + c, i, c)));
        if (sent.size() == 10_000) {
          CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
          sent.clear();
        }
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
    }
  }

  private static dev.postbus.job.Job job(String prefix, int i, JobClass c) {
    return new Workload(1, 2048, false).job(prefix, i).withClass(c);
  }

  private static Worker start(WorkerConfig config) throws InterruptedException {
    Worker w = Worker.start(config);
    await(() -> w.ownedPartitions() > 0);
    return w;
  }

  private static void provision(Target t, WorkerConfig config) {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, t.bootstrap()))) {
      TopicProvisioner.ensure(
          admin, config.allTopics(), PARTITIONS, (short) 1, config.topicConfigs());
    }
  }

  private WorkerConfig config(Target t, String topic, boolean classes) {
    return config(t, topic, classes, Map.of());
  }

  private WorkerConfig config(Target t, String topic, boolean classes, Map<String, String> extra) {
    Map<String, String> v = new HashMap<>(extra);
    v.put("kafka.bootstrap-servers", t.bootstrap());
    v.put("topic", topic);
    v.put("group", topic);
    v.put("events.topic", topic + ".events");
    v.put("worker.id", topic + "-w");
    v.put("smtp.host", "127.0.0.1");
    v.put("smtp.port", Integer.toString(t.port()));
    v.put("smtp.tls", "none");
    v.put("smtp.connections", Integer.toString(k));
    v.put("topics.partitions", Integer.toString(PARTITIONS));
    v.put("http.port", "0");
    v.put("classes.enabled", Boolean.toString(classes));
    return WorkerConfig.from(Settings.of(v));
  }

  private static void await(BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT_NANOS;
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the run did not finish within 2 h");
      }
      Thread.sleep(5);
    }
  }

  private static String topic() {
    return "classes-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
