package dev.postbus.bench;

/** One way of sending the workload to the sink with K connections. */
interface Scenario {

  /** What every run shares. */
  record Context(
      Workload workload,
      String host,
      int port,
      String bootstrap,
      int workers,
      double publishRate,
      java.util.Map<String, String> workerSettings) {}

  String name();

  /** Sends every message of the workload; returns when the last one was accepted. */
  RunResult run(Context ctx, int connections, String sinkLabel) throws Exception;
}
