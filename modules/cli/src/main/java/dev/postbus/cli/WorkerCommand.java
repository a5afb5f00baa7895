package dev.postbus.cli;

import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.lifecycle.Worker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "worker", mixinStandardHelpOptions = true,
    description = {"Consume jobs and deliver them over SMTP until stopped (SIGTERM or Ctrl-C drains gracefully).",
        "Configured by a properties file and POSTBUS_* environment variables (which win); see docs/configuration.md."})
final class WorkerCommand implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", description = "Properties file with configuration keys.")
  Path config;

  @Override
  public Integer call() throws Exception {
    WorkerConfig cfg = WorkerConfig.from(Settings.load(config, System.getenv()));
    Worker worker = Worker.start(cfg);
    Thread hook = new Thread(worker::close, "postbus-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    while (!worker.awaitStopped(Duration.ofSeconds(1))) {
      // the shutdown hook (SIGTERM, Ctrl-C) or a fatal consumer error ends the wait
    }
    return 0;
  }
}
