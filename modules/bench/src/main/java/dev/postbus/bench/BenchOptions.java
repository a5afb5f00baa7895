package dev.postbus.bench;

import java.util.List;

/**
 * What to run.
 *
 * @param bootstrap an external Kafka for the postbus scenario, or null for the in-process broker
 * @param warmup messages of one unrecorded run per scenario and K before the recorded ones (JIT
 *     warm-up)
 * @param publishRate jobs/s at which the postbus scenario publishes (0: as fast as it can), for
 *     latency
 * @param workerSettings worker configuration keys for the postbus scenario (e.g.
 *     events.enabled=false)
 */
public record BenchOptions(
    int messages,
    List<Integer> connections,
    int repeats,
    List<String> scenarios,
    String sink,
    int textBytes,
    boolean rich,
    int workers,
    String bootstrap,
    int warmup,
    double publishRate,
    java.util.Map<String, String> workerSettings) {

  public static final List<String> ALL_SCENARIOS =
      List.of("postbus", "postbus-transport", "angus-loop", "angus-naive", "simple-java-mail");

  public BenchOptions {
    connections = List.copyOf(connections);
    scenarios = List.copyOf(scenarios);
    workerSettings = java.util.Map.copyOf(workerSettings);
    if (messages < 1 || repeats < 1 || workers < 1 || textBytes < 1 || warmup < 0) {
      throw new IllegalArgumentException(
          "--messages, --repeats, --workers and --size must be at least 1");
    }
    for (String s : scenarios) {
      if (!ALL_SCENARIOS.contains(s)) {
        throw new IllegalArgumentException(
            "--scenarios: unknown scenario '" + s + "'; known: " + ALL_SCENARIOS);
      }
    }
    if (connections.isEmpty() || connections.stream().anyMatch(k -> k < 1 || k > 1024)) {
      throw new IllegalArgumentException("--connections must list values from 1 to 1024");
    }
    Sink.parse(sink);
  }

  /** Every option at the default of {@code postbus bench}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds validated {@link BenchOptions}; what is not set keeps the command's default. */
  public static final class Builder {
    private int messages = 20_000;
    private List<Integer> connections = List.of(4, 16);
    private int repeats = 3;
    private List<String> scenarios = ALL_SCENARIOS;
    private String sink = "fast";
    private int textBytes = 2048;
    private boolean rich = false;
    private int workers = 1;
    private String bootstrap = null;
    private int warmup = 10_000;
    private double publishRate = 0;
    private java.util.Map<String, String> workerSettings = java.util.Map.of();

    private Builder() {}

    public Builder messages(int value) {
      this.messages = value;
      return this;
    }

    public Builder connections(List<Integer> value) {
      this.connections = value;
      return this;
    }

    public Builder repeats(int value) {
      this.repeats = value;
      return this;
    }

    public Builder scenarios(List<String> value) {
      this.scenarios = value;
      return this;
    }

    public Builder sink(String value) {
      this.sink = value;
      return this;
    }

    public Builder textBytes(int value) {
      this.textBytes = value;
      return this;
    }

    public Builder rich(boolean value) {
      this.rich = value;
      return this;
    }

    public Builder workers(int value) {
      this.workers = value;
      return this;
    }

    public Builder bootstrap(String value) {
      this.bootstrap = value;
      return this;
    }

    public Builder warmup(int value) {
      this.warmup = value;
      return this;
    }

    public Builder publishRate(double value) {
      this.publishRate = value;
      return this;
    }

    public Builder workerSettings(java.util.Map<String, String> value) {
      this.workerSettings = value;
      return this;
    }

    public BenchOptions build() {
      return new BenchOptions(
          messages,
          connections,
          repeats,
          scenarios,
          sink,
          textBytes,
          rich,
          workers,
          bootstrap,
          warmup,
          publishRate,
          workerSettings);
    }
  }
}
