package dev.postbus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.bench.Bench;
import dev.postbus.bench.BenchOptions;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmark Postbus against the usual Java senders, side by side, on one SMTP sink.",
      "Postbus end to end, its SMTP transport alone, a bare Angus Mail loop, Transport.send per message and",
      "Simple Java Mail's batch module. Prints a table (see docs/benchmarks.md)."
    },
    subcommands = {
      BenchCommand.Suppressions.class,
      BenchCommand.Feedback.class,
      BenchCommand.Takeover.class,
      BenchCommand.LedgerFloorCommand.class,
      BenchCommand.Classes.class
    })
final class BenchCommand implements Callable<Integer> {

  @Command(
      name = "classes",
      mixinStandardHelpOptions = true,
      description = {
        "Measure transactional mail under a bulk backlog, with and without the classes.",
        "One worker, N bulk jobs published first, then transactional jobs at --rate/s until the backlog",
        "is drained; the same with the classes off; bulk alone; transactional alone. Prints",
        "transactional publish→250 p50/p99 and bulk msg/s. Then the floor: both classes' backlogs",
        "under --floor-rate for --floor-for, and bulk's share of the sends vs classes.bulk-floor."
      })
  static final class Classes implements Callable<Integer> {
    @Option(
        names = "--bulk",
        defaultValue = "100000",
        description = "Bulk jobs published first (default ${DEFAULT-VALUE}).")
    int bulk;

    @Option(
        names = "--rate",
        defaultValue = "20",
        description = "Transactional jobs per second (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(
        names = "--connections",
        defaultValue = "8",
        description = "K, the worker's connections (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(
        names = "--idle",
        defaultValue = "30s",
        description =
            "How long transactional jobs flow on the idle worker (default ${DEFAULT-VALUE}).")
    String idle;

    @Option(
        names = "--sink",
        defaultValue = "latency:10ms",
        description =
            "fast, delay:<time>, rtt:<time> or latency:<time> (default ${DEFAULT-VALUE}).")
    String sink;

    @Option(
        names = "--floor-rate",
        defaultValue = "200",
        description =
            "The worker's rate-limit in the floor run, messages/s (default ${DEFAULT-VALUE}).")
    int floorRate;

    @Option(
        names = "--floor-for",
        defaultValue = "20s",
        description = "How long the floor run sends; 0s skips it (default ${DEFAULT-VALUE}).")
    String floorFor;

    @Override
    public Integer call() throws Exception {
      new dev.postbus.bench.ClassesLoad(
              bulk,
              rate,
              connections,
              dev.postbus.durations.Durations.parse(idle, "--idle"),
              sink,
              System.out,
              new dev.postbus.bench.ClassesLoad.Floor(
                  floorRate, dev.postbus.durations.Durations.parse(floorFor, "--floor-for")))
          .run();
      return 0;
    }
  }

  @Command(
      name = "feedback",
      mixinStandardHelpOptions = true,
      description = {
        "Measure how many signed SNS notifications per second the feedback receiver takes.",
        "SES bounces signed by a certificate made for the run, on an in-process broker (acks=all)."
      })
  static final class Feedback implements Callable<Integer> {
    @Option(
        names = "--notifications",
        defaultValue = "20000",
        description = "Notifications timed (default ${DEFAULT-VALUE}).")
    int notifications;

    @Option(
        names = "--clients",
        defaultValue = "64",
        description =
            "Concurrent HTTP clients, as SNS delivers in parallel (default ${DEFAULT-VALUE}).")
    int clients;

    @Override
    public Integer call() throws Exception {
      new dev.postbus.bench.FeedbackLoad(notifications, clients, System.out).run();
      return 0;
    }
  }

  @Command(
      name = "takeover",
      mixinStandardHelpOptions = true,
      description = {
        "Measure what taking a partition over costs a worker: the send ledger's read, time and heap.",
        "One ledger partition of N entries on an in-process broker; a commit with a ledger mark,",
        "one without (read by time, the whole window) and one far behind; then the dedupe index",
        "of idempotent publishing built from the same partition (build time and retained heap).",
        "Run with a fixed heap for a clean figure: POSTBUS_JAVA_OPTS=-Xmx1g ./postbus bench takeover"
      })
  static final class Takeover implements Callable<Integer> {
    @Option(
        names = "--entries",
        defaultValue = "1000000",
        description = "Entries in the ledger partition's window (default ${DEFAULT-VALUE}).")
    int entries;

    @Override
    public Integer call() throws Exception {
      new dev.postbus.bench.TakeoverBench(entries, System.out).run();
      return 0;
    }
  }

  @Command(
      name = "ledger-floor",
      mixinStandardHelpOptions = true,
      description = {
        "Measure the least the send ledger can cost the broker at K connections.",
        "Only its entries (no SMTP, no jobs, no events) on an in-process broker: each connection",
        "waiting for its entry before the next (lanes); K at a time in one request (in step: the",
        "most any grouping can gather); K as one record (one write: the least any design can send).",
        "Compare its broker CPU per entry with the postbus scenario's (docs/benchmarks.md)."
      })
  static final class LedgerFloorCommand implements Callable<Integer> {
    @Option(
        names = "--entries",
        defaultValue = "20000",
        description = "Entries per round and way (default ${DEFAULT-VALUE}).")
    int entries;

    @Option(
        names = "--connections",
        defaultValue = "4",
        description = "K, the connections whose entries are gathered (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(
        names = "--repeats",
        defaultValue = "3",
        description = "Rounds of each way after the warm-up (default ${DEFAULT-VALUE}).")
    int repeats;

    @Override
    public Integer call() throws Exception {
      new dev.postbus.bench.LedgerFloor(entries, connections, repeats, System.out).run();
      return 0;
    }
  }

  @Command(
      name = "suppressions",
      mixinStandardHelpOptions = true,
      description = {
        "Measure what the suppression list costs a worker: heap, check time, start-up read.",
        "Run with a fixed heap for a clean figure: POSTBUS_JAVA_OPTS=-Xmx1g ./postbus bench suppressions"
      })
  static final class Suppressions implements Callable<Integer> {
    @Option(
        names = "--addresses",
        defaultValue = "1000000",
        description = "Suppressed addresses (default ${DEFAULT-VALUE}).")
    int addresses;

    @Option(
        names = "--no-kafka",
        negatable = true,
        defaultValue = "true",
        fallbackValue = "true",
        description =
            "Also time reading them back from an in-process broker (default; --no-kafka: not).")
    boolean kafka;

    @Override
    public Integer call() throws Exception {
      if (addresses < 1) {
        throw new IllegalArgumentException("--addresses must be at least 1");
      }
      var heap = new dev.postbus.bench.SuppressionHeap(addresses, System.out);
      heap.measureHeap();
      if (kafka) {
        heap.measureLoad();
      }
      return 0;
    }
  }

  @Option(
      names = "--messages",
      defaultValue = "20000",
      description = "Messages per run (default ${DEFAULT-VALUE}).")
  int messages;

  @Option(
      names = "--connections",
      split = ",",
      defaultValue = "4,16",
      description = "K values (default ${DEFAULT-VALUE}).")
  List<Integer> connections;

  @Option(
      names = "--repeats",
      defaultValue = "3",
      description = "Rounds; the median is reported (default ${DEFAULT-VALUE}).")
  int repeats;

  @Option(
      names = "--scenarios",
      split = ",",
      defaultValue = "postbus,postbus-transport,angus-loop,angus-naive,simple-java-mail",
      description = "Which to run (default ${DEFAULT-VALUE}).")
  List<String> scenarios;

  @Option(
      names = "--sink",
      defaultValue = "fast",
      description =
          "fast, delay:<time> (reply to the final '.' after it), "
              + "rtt:<time> (MAIL, RCPT and '.' replies after it), latency:<time> (a round trip of that time to the sink, "
              + "half each way, as a distant relay), or host:port of an external sink such as smtp-sink.")
  String sink;

  @Option(
      names = "--size",
      defaultValue = "2048",
      description = "Text body bytes (default ${DEFAULT-VALUE}).")
  int size;

  @Option(names = "--rich", description = "Add an HTML part and a 20 KiB attachment.")
  boolean rich;

  @Option(
      names = "--workers",
      defaultValue = "1",
      description = "Postbus workers in the group (default ${DEFAULT-VALUE}).")
  int workers;

  @Option(
      names = "--bootstrap",
      description = "External Kafka for the postbus scenario (default: in-process broker).")
  String bootstrap;

  @Option(
      names = "--warmup",
      defaultValue = "10000",
      description =
          "Messages of an unrecorded warm-up run per scenario "
              + "(default ${DEFAULT-VALUE}; the JIT compiler is still busy for many seconds after start).")
  int warmup;

  @Option(
      names = "--rate",
      defaultValue = "0",
      description =
          "Jobs/s at which the postbus scenario publishes "
              + "(0: as fast as it can); for the latency figures at a given load.")
  double rate;

  @Option(
      names = "--no-events",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Postbus workers write outcome events (default; --no-events: events.enabled=false).")
  boolean events;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "A worker setting for the postbus scenario, e.g. "
              + "--set ledger.enabled=false (repeatable; keys as in docs/configuration.md).")
  java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();

  @Option(
      names = "--json",
      description = "End with one JSON object (key results) on the last line.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    BenchOptions options =
        BenchOptions.builder()
            .messages(messages)
            .connections(connections)
            .repeats(repeats)
            .scenarios(scenarios)
            .sink(sink)
            .textBytes(size)
            .rich(rich)
            .workers(workers)
            .bootstrap(bootstrap)
            .warmup(warmup)
            .publishRate(rate)
            .workerSettings(workerSettings())
            .build();
    var report = new Bench(options, System.out).run();
    if (json) {
      System.out.println(new ObjectMapper().writeValueAsString(report));
    }
    return 0;
  }

  private java.util.Map<String, String> workerSettings() {
    java.util.Map<String, String> all = new java.util.LinkedHashMap<>(settings);
    if (!events) {
      all.put("events.enabled", "false");
    }
    return all;
  }
}
