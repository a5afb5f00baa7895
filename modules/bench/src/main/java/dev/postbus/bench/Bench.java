package dev.postbus.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postbus.embedded.EmbeddedKafka;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the scenarios side by side against one sink: a warm-up run each, then {@code repeats} rounds
 * in which the scenarios take turns (the order rotates each round) so that drift in machine speed
 * hits them alike. Reports the median messages/s with min–max, CPU seconds per 1,000 messages, peak
 * heap, and for postbus the p50/p99 publish→250 latency, then postbus ÷ each other scenario.
 */
public final class Bench {

  private final BenchOptions options;
  private final PrintStream out;

  public Bench(BenchOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** Runs everything; returns the report as JSON. */
  public ObjectNode run() throws Exception {
    // The same Jakarta Mail tuning Postbus applies, for every scenario alike (see MailSessions).
    dev.postbus.smtp.SmtpConnection.initMail();
    Sink sink = Sink.parse(options.sink());
    EmbeddedKafka kafka = null;
    BenchSink ours = null;
    LatencyProxy proxy = null;
    try {
      String bootstrap = options.bootstrap();
      if (bootstrap == null && options.scenarios().contains("postbus")) {
        kafka = EmbeddedKafka.startEphemeral();
        bootstrap = kafka.bootstrapServers();
      }
      String host = sink.host();
      int port = sink.port();
      if (!sink.external()) {
        ours = new BenchSink(sink.dataDelay(), sink.rtt());
        host = "127.0.0.1";
        port = ours.port();
        if (!sink.latency().isZero()) {
          proxy = new LatencyProxy(host, ours.port(), sink.latency());
          port = proxy.port();
        }
      }
      List<Scenario> scenarios = options.scenarios().stream().map(Bench::scenario).toList();
      List<RunResult> results = new ArrayList<>();
      if (options.warmup() > 0) {
        Scenario.Context warm =
            new Scenario.Context(
                new Workload(options.warmup(), options.textBytes(), options.rich()),
                host,
                port,
                bootstrap,
                options.workers(),
                options.publishRate(),
                options.workerSettings());
        for (Scenario s : scenarios) {
          out.printf("warm-up: %s (%d messages)%n", s.name(), options.warmup());
          s.run(warm, options.connections().get(0), sink.label());
        }
      }
      Scenario.Context ctx =
          new Scenario.Context(
              new Workload(options.messages(), options.textBytes(), options.rich()),
              host,
              port,
              bootstrap,
              options.workers(),
              options.publishRate(),
              options.workerSettings());
      for (int round = 0; round < options.repeats(); round++) {
        for (int k : options.connections()) {
          for (int i = 0; i < scenarios.size(); i++) {
            Scenario s = scenarios.get((i + round) % scenarios.size());
            long before = ours == null ? 0 : ours.messages();
            RunResult r = s.run(ctx, k, sink.label());
            out.printf(
                Locale.ROOT,
                "round %d  K=%-4d %-17s %9.0f msg/s  %6.2f s%n",
                round + 1,
                k,
                s.name(),
                r.messagesPerSecond(),
                r.seconds());
            if (ours != null) {
              checkCount(s.name(), ours.messages() - before, ctx.workload().messages());
            }
            results.add(r);
          }
        }
      }
      return report(results, sink);
    } finally {
      if (proxy != null) {
        proxy.close();
      }
      if (ours != null) {
        ours.close();
      }
      if (kafka != null) {
        kafka.close();
      }
    }
  }

  /** Nothing lost, nothing sent twice: the sink must have taken exactly the run's messages. */
  private void checkCount(String scenario, long received, int sent) {
    if (received != sent) {
      out.printf(
          Locale.ROOT,
          "  %s: the sink received %d messages for %d jobs (%s)%n",
          scenario,
          received,
          sent,
          received < sent ? "LOST" : "DUPLICATED");
      mismatches++;
    }
  }

  private int mismatches;

  static Scenario scenario(String name) {
    return switch (name) {
      case "postbus" -> new PostbusScenario();
      case "postbus-transport" -> new TransportScenario();
      case "angus-loop" -> new AngusScenarios.Loop();
      case "angus-naive" -> new AngusScenarios.Naive();
      case "simple-java-mail" -> new SimpleJavaMailScenario();
      default -> throw new IllegalArgumentException("unknown scenario " + name);
    };
  }

  private ObjectNode report(List<RunResult> results, Sink sink) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    ArrayNode list = root.putArray("results");
    out.println();
    out.printf(
        "%-10s %5s  %-17s %24s  %12s  %6s  %10s  %17s%n",
        "sink",
        "K",
        "scenario",
        "msg/s median (min-max)",
        "CPU s/1k msg",
        "JIT %",
        "heap MiB",
        "p50 / p99 ms");
    Map<String, Double> medians = new LinkedHashMap<>();
    List<String> stillWarming = new ArrayList<>();
    for (int k : options.connections()) {
      for (String name : options.scenarios()) {
        List<RunResult> runs =
            results.stream()
                .filter(r -> r.connections() == k && r.scenario().equals(name))
                .toList();
        List<Double> rates = runs.stream().map(RunResult::messagesPerSecond).sorted().toList();
        double median = rates.get(rates.size() / 2);
        RunResult mid =
            runs.stream()
                .min(Comparator.comparingDouble(r -> Math.abs(r.messagesPerSecond() - median)))
                .orElseThrow();
        double cpu = median(runs.stream().map(RunResult::cpuSecondsPer1000).toList());
        // the round that compiled the most: the one furthest from the steady state
        double jit =
            runs.stream()
                .mapToDouble(RunResult::jitShare)
                .filter(x -> !Double.isNaN(x))
                .max()
                .orElse(Double.NaN);
        if (jit > JIT_WARNING) {
          stillWarming.add(name + " (K=" + k + ", " + Math.round(jit * 100) + "%)");
        }
        double heap = runs.stream().mapToDouble(RunResult::peakHeapMiB).max().orElse(0);
        medians.put(name + "@" + k, median);
        String latency =
            mid.p50Millis() == null
                ? ""
                : String.format(Locale.ROOT, "%.1f / %.1f", mid.p50Millis(), mid.p99Millis());
        out.printf(
            Locale.ROOT,
            "%-10s %5d  %-17s %8.0f (%6.0f-%6.0f)  %12.3f  %6s  %10.0f  %17s%n",
            sink.label(),
            k,
            name,
            median,
            rates.get(0),
            rates.get(rates.size() - 1),
            cpu,
            Double.isNaN(jit) ? "n/a" : String.format(Locale.ROOT, "%.0f", jit * 100),
            heap,
            latency);
        ObjectNode o = list.addObject();
        o.put("scenario", name);
        o.put("sink", sink.label());
        o.put("connections", k);
        o.put("workers", name.equals("postbus") ? options.workers() : 1);
        o.put("messages", options.messages());
        o.put("messagesPerSecond", Math.round(median));
        o.put("min", Math.round(rates.get(0)));
        o.put("max", Math.round(rates.get(rates.size() - 1)));
        o.put("runs", runs.size());
        o.put("cpuSecondsPer1000", Math.round(cpu * 1000) / 1000.0);
        if (!Double.isNaN(jit)) {
          o.put("jitShareOfCpuMax", Math.round(jit * 1000) / 1000.0);
        }
        o.put("peakHeapMiB", Math.round(heap));
        Double broker =
            median(
                runs.stream().map(RunResult::brokerCpuMsPerMessage).filter(x -> x != null).toList(),
                null);
        Double requests =
            median(
                runs.stream()
                    .map(RunResult::produceRequestsPerMessage)
                    .filter(x -> x != null)
                    .toList(),
                null);
        Double ledgerWait =
            median(
                runs.stream()
                    .map(RunResult::ledgerWaitMsPerMessage)
                    .filter(x -> x != null)
                    .toList(),
                null);
        if (broker != null) {
          o.put("brokerCpuMsPerMessage", Math.round(broker * 1000) / 1000.0);
          out.printf(
              Locale.ROOT,
              "%-10s %5d  %-17s broker CPU %.3f ms per message (in-process broker threads)%s%n",
              sink.label(),
              k,
              name,
              broker,
              requests == null
                  ? ""
                  : String.format(Locale.ROOT, ", %.2f produce requests per message", requests));
        }
        if (ledgerWait != null) {
          o.put("ledgerWaitMsPerMessage", Math.round(ledgerWait * 1000) / 1000.0);
          out.printf(
              Locale.ROOT,
              "%-10s %5d  %-17s final dots held %.3f ms per message for the send ledger%n",
              sink.label(),
              k,
              name,
              ledgerWait);
        }
        if (requests != null) {
          o.put("produceRequestsPerMessage", Math.round(requests * 1000) / 1000.0);
        }
        if (mid.p50Millis() != null) {
          o.put("p50Millis", Math.round(mid.p50Millis() * 10) / 10.0);
          o.put("p99Millis", Math.round(mid.p99Millis() * 10) / 10.0);
        }
        if (!sink.perMessageFloor().isZero()) {
          double ceiling =
              k
                  * (name.equals("postbus") ? options.workers() : 1)
                  / (sink.perMessageFloor().toNanos() / 1e9);
          o.put("ceilingMessagesPerSecond", Math.round(ceiling));
        }
      }
    }
    if (!stillWarming.isEmpty()) {
      out.printf(
          Locale.ROOT,
          "JIT compiling took over %d%% of the CPU of a round of %s: those figures are not the"
              + " steady state; compare them only with runs of the same --warmup and --messages"
              + " (longer runs lower it where the machine has the cores)%n",
          Math.round(JIT_WARNING * 100),
          String.join(", ", stillWarming));
    }
    root.put("sinkCountMismatches", mismatches);
    ArrayNode ratios = root.putArray("ratios");
    out.println();
    for (int k : options.connections()) {
      for (String ours : List.of("postbus", "postbus-transport")) {
        Double mine = medians.get(ours + "@" + k);
        if (mine == null) {
          continue;
        }
        for (String name : options.scenarios()) {
          if (!name.startsWith("postbus")) {
            double ratio = mine / medians.get(name + "@" + k);
            out.printf(Locale.ROOT, "K=%-4d %-17s / %-17s %.2f x%n", k, ours, name, ratio);
            ObjectNode o = ratios.addObject();
            o.put("connections", k);
            o.put("scenario", ours);
            o.put("versus", name);
            o.put("ratio", Math.round(ratio * 100) / 100.0);
          }
        }
      }
      Double postbus = medians.get("postbus@" + k);
      if (postbus != null && !sink.perMessageFloor().isZero()) {
        double ceiling = k * options.workers() / (sink.perMessageFloor().toNanos() / 1e9);
        out.printf(
            Locale.ROOT,
            "K=%-4d postbus / (K x workers / %s) %.1f%%%n",
            k,
            sink.perMessageFloor(),
            100 * postbus / ceiling);
      }
    }
    return root;
  }

  /** A JIT share of a round's CPU above this says the round was still warming up. */
  static final double JIT_WARNING = 0.10;

  private static Double median(List<Double> values, Double none) {
    return values.isEmpty() ? none : Double.valueOf(median(values));
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
