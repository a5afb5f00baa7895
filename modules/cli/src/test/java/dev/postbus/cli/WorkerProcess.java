package dev.postbus.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code postbus worker} in a process of its own, on this test's class path; its output goes to a
 * file.
 */
final class WorkerProcess implements AutoCloseable {

  private final Process process;
  private final Path log;

  private WorkerProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static WorkerProcess start(Map<String, String> env) throws IOException {
    return start(env, "256m");
  }

  /**
   * @param maxHeap the worker JVM's -Xmx
   */
  static WorkerProcess start(Map<String, String> env, String maxHeap) throws IOException {
    return start(env, List.of("-Xmx" + maxHeap, PostbusJvm.QUICK_START));
  }

  /**
   * A worker JVM with the JVM's default compilers, as users run it: for a test of a heap bound.
   *
   * @param maxHeap the worker JVM's -Xmx
   */
  static WorkerProcess startAsUsersRunIt(Map<String, String> env, String maxHeap)
      throws IOException {
    return start(env, List.of("-Xmx" + maxHeap));
  }

  private static WorkerProcess start(Map<String, String> env, List<String> jvmOptions)
      throws IOException {
    List<String> options = new ArrayList<>(jvmOptions);
    options.add("-XX:+ExitOnOutOfMemoryError");
    ProcessBuilder pb = new ProcessBuilder(PostbusJvm.command(options, List.of("worker")));
    pb.environment().keySet().removeIf(k -> k.startsWith("POSTBUS_"));
    pb.environment().putAll(env);
    File log = File.createTempFile("postbus-worker", ".log");
    log.deleteOnExit();
    pb.redirectErrorStream(true).redirectOutput(log);
    return new WorkerProcess(pb.start(), log.toPath());
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL: no drain, no commit, no goodbye to the group. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Waits for the process to end by itself; its exit status, or -1 when it is still running. */
  int awaitExit(java.time.Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  String log() throws IOException {
    return Files.readString(log);
  }

  /** Waits until the log contains {@code text}; on timeout the failure shows the end of the log. */
  void awaitLog(String text, java.time.Duration timeout) throws Exception {
    try {
      org.awaitility.Awaitility.await().atMost(timeout).until(() -> log().contains(text));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      String all = log();
      throw new AssertionError(
          "the worker did not log '"
              + text
              + "' within "
              + timeout
              + " (alive: "
              + alive()
              + "); its log ends with:\n"
              + all.substring(Math.max(0, all.length() - 4000)),
          e);
    }
  }

  /**
   * SIGTERM, as systemd, Kubernetes and Docker stop a process; waits for the drain and returns the
   * exit status.
   */
  int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
    return process.exitValue();
  }

  /** SIGTERM, and wait for the drain. */
  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
    Files.deleteIfExists(log);
  }
}
