package dev.postbus.cli;

import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.lifecycle.Worker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = {
      "Consume jobs and deliver them over SMTP until stopped (SIGTERM or Ctrl-C drains gracefully).",
      "Configured by a properties file and POSTBUS_* environment variables (which win); see docs/configuration.md.",
      "Exits 0 after a clean drain, also when stopped by SIGTERM or SIGINT; 4 when it stopped by itself after a failure (its consumer thread failed)."
    })
final class WorkerCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(WorkerCommand.class);

  /**
   * The worker stopped by itself after a failure: not 0, so a supervisor that restarts only on
   * failure (systemd's Restart=on-failure, Docker's on-failure) starts it again.
   */
  static final int EXIT_FAILED = 4;

  /**
   * The signals supervisors stop a process with (systemd, Kubernetes, Docker: TERM; a terminal:
   * INT).
   */
  private static final String[] STOP_SIGNALS = {"TERM", "INT"};

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Properties file with configuration keys.")
  Path config;

  @Override
  public Integer call() throws Exception {
    WorkerConfig cfg = WorkerConfig.from(Settings.load(config, System.getenv()));
    Worker worker = Worker.start(cfg);
    // A JVM that leaves on SIGTERM's default path exits with 143, which systemd and Kubernetes
    // count as a
    // failure. So the stop signals start the drain here, and the command returns 0 once it is done;
    // the
    // shutdown hook stays for any other way the JVM is asked to exit.
    for (String name : STOP_SIGNALS) {
      handle(
          name,
          () ->
              new Thread(worker::close, "postbus-stop-" + name.toLowerCase(java.util.Locale.ROOT))
                  .start());
    }
    Runtime.getRuntime().addShutdownHook(new Thread(worker::close, "postbus-shutdown"));
    while (!worker.awaitStopped(Duration.ofSeconds(1))) {
      // a stop signal, the shutdown hook or a fatal consumer error ends the wait
    }
    String failure = worker.failure();
    if (failure != null) {
      log.error(
          "worker stopped by a failure: {}; exiting with {} so that a supervisor starts it again",
          failure,
          EXIT_FAILED);
      return EXIT_FAILED;
    }
    return 0;
  }

  private static void handle(String signal, Runnable stop) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stop.run());
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      // The platform does not let us: the JVM's default applies (drain through the shutdown hook).
      log.debug(
          "cannot handle SIG{} ({}); the shutdown hook drains instead", signal, e.getMessage());
    }
  }
}
