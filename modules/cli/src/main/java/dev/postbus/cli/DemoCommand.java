package dev.postbus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.embedded.FreePort;
import dev.postbus.job.Job;
import dev.postbus.worker.lifecycle.WorkerStats;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run the whole flow once on free ports: an in-process Kafka broker, an SMTP capture server and",
        "a worker; publish generated jobs, wait until every one is accounted for, and print a report.",
        "Exit code 0 only when every published job was delivered or dead-lettered."})
final class DemoCommand implements Callable<Integer> {

  private static final long TIMEOUT_MILLIS = TimeUnit.MINUTES.toMillis(10);

  @Option(names = "--jobs", defaultValue = "1000", description = "Jobs to publish (default ${DEFAULT-VALUE}).")
  int jobs;
  @Option(names = "--connections", defaultValue = "4", description = "SMTP connections (default ${DEFAULT-VALUE}).")
  int connections;
  @Option(names = "--json", description = "End with the report as one JSON object on the last line of output.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (jobs < 1 || connections < 1 || connections > 1024) {
      System.err.println("postbus demo: --jobs must be at least 1 and --connections from 1 to 1024");
      return Postbus.EXIT_CONFIG;
    }
    System.err.printf("Starting an in-process Kafka broker, an SMTP capture server and a worker with %d connections...%n",
        connections);
    var layout = new DevStack.Layout(Files.createTempDirectory("postbus-demo-"), true, FreePort.pick(),
        FreePort.pick(), 0, 0);
    try (DevStack stack = DevStack.start(layout, connections, Map.of())) {
      return run(stack);
    }
  }

  private int run(DevStack stack) throws Exception {
    WorkerStats stats = stack.worker.stats();
    long started = System.nanoTime();
    List<CompletableFuture<?>> published = new ArrayList<>(jobs);
    try (JobPublisher publisher = JobPublisher.create(PublisherConfig.of(stack.kafka.bootstrapServers(), stack.topic));
        ProgressBar bar = progressBar()) {
      String run = Long.toString(System.currentTimeMillis(), 36);
      for (int i = 0; i < jobs; i++) {
        published.add(publisher.publish(job(run, i)));
      }
      CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).join();
      long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
      while (accounted(stats.snapshot()) < jobs && System.currentTimeMillis() < deadline) {
        if (bar != null) {
          bar.stepTo(accounted(stats.snapshot()));
        }
        Thread.sleep(50);
      }
      if (bar != null) {
        bar.stepTo(accounted(stats.snapshot()));
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    WorkerStats.Snapshot s = stats.snapshot();
    boolean complete = accounted(s) == jobs && stack.capture.received() == s.delivered();
    print(s, seconds, stack);
    if (!complete) {
      System.err.printf("postbus demo: only %d of %d jobs accounted for (capture server received %d)%n",
          accounted(s), jobs, stack.capture.received());
    }
    return complete ? 0 : 1;
  }

  private static long accounted(WorkerStats.Snapshot s) {
    return s.delivered() + s.deadLettered();
  }

  private ProgressBar progressBar() {
    if (System.console() == null) {
      return null;
    }
    return new ProgressBarBuilder().setTaskName("Delivering").setInitialMax(jobs).setUpdateIntervalMillis(100)
        .setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
  }

  private static Job job(String run, int i) {
    return Job.text("demo-" + run + "-" + i, "Postbus Demo <demo@example.com>", "user" + i + "@example.net",
        "Your receipt #" + i, "Hello user " + i + ",\n\nthank you for your order #" + i + ".\n\n-- Postbus demo\n");
  }

  private void print(WorkerStats.Snapshot s, double seconds, DevStack stack) throws Exception {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("published", jobs);
    report.put("delivered", s.delivered());
    report.put("deadLettered", s.deadLettered());
    report.put("retried", s.retried());
    report.put("seconds", Math.round(seconds * 100) / 100.0);
    report.put("messagesPerSecond", Math.round(jobs / seconds));
    System.out.printf("""
        published      %d
        delivered      %d
        dead-lettered  %d
        retried        %d
        seconds        %.2f
        messages/s     %d
        (captured by the SMTP server: %d)
        """, jobs, s.delivered(), s.deadLettered(), s.retried(), seconds, Math.round(jobs / seconds),
        stack.capture.received());
    if (json) {
      System.out.println(new ObjectMapper().writeValueAsString(report));
    }
  }
}
