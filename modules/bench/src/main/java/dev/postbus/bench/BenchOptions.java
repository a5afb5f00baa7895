package dev.postbus.bench;

import java.util.List;

/**
 * What to run.
 *
 * @param bootstrap an external Kafka for the postbus scenario, or null for the in-process broker
 * @param warmup messages of one unrecorded run per scenario and K before the recorded ones (JIT warm-up)
 * @param publishRate jobs/s at which the postbus scenario publishes (0: as fast as it can), for latency
 * @param workerSettings worker configuration keys for the postbus scenario (e.g. events.enabled=false)
 */
public record BenchOptions(int messages, List<Integer> connections, int repeats, List<String> scenarios, String sink,
    int textBytes, boolean rich, int workers, String bootstrap, int warmup, double publishRate,
    java.util.Map<String, String> workerSettings) {

  public static final List<String> ALL_SCENARIOS = List.of("postbus", "postbus-transport", "angus-loop", "angus-naive",
      "simple-java-mail");

  public BenchOptions {
    connections = List.copyOf(connections);
    scenarios = List.copyOf(scenarios);
    workerSettings = java.util.Map.copyOf(workerSettings);
    if (messages < 1 || repeats < 1 || workers < 1 || textBytes < 1 || warmup < 0) {
      throw new IllegalArgumentException("--messages, --repeats, --workers and --size must be at least 1");
    }
    for (String s : scenarios) {
      if (!ALL_SCENARIOS.contains(s)) {
        throw new IllegalArgumentException("--scenarios: unknown scenario '" + s + "'; known: " + ALL_SCENARIOS);
      }
    }
    if (connections.isEmpty() || connections.stream().anyMatch(k -> k < 1 || k > 1024)) {
      throw new IllegalArgumentException("--connections must list values from 1 to 1024");
    }
    Sink.parse(sink);
  }
}
