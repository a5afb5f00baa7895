package dev.postbus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.console.ConsoleServer;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.FreePort;
import dev.postbus.job.Job;
import dev.postbus.replay.DeadLetter;
import dev.postbus.replay.DeadLetterFilter;
import dev.postbus.replay.Replayer;
import dev.postbus.suppression.SuppressionReader;
import dev.postbus.suppression.SuppressionTopic;
import dev.postbus.suppression.SuppressionWriter;
import dev.postbus.worker.ops.WorkerStats;
import java.nio.file.Files;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the whole flow once on free ports and print a report.",
      "An in-process Kafka broker, an SMTP capture server and a worker. Publishes generated jobs; the",
      "capture server refuses 5% of the recipients (550 5.1.1) and",
      "answers 10% with 451 the first time. Retries go through the retry ladder (short delays here), refusals",
      "to the dead-letter topic and their addresses to the suppression list; the demo lists them, takes",
      "the addresses off the list and replays the dead letters once the server accepts them.",
      "Exit code 0 only when every published job ends delivered."
    })
final class DemoCommand implements Callable<Integer> {

  private static final long TIMEOUT_MILLIS = TimeUnit.MINUTES.toMillis(10);
  private static final Map<String, String> DEMO_SETTINGS =
      Map.of("retry.delays", "1s,2s,5s", "http.port", "0");

  @Option(
      names = "--jobs",
      defaultValue = "1000",
      description = "Jobs to publish (default ${DEFAULT-VALUE}).")
  int jobs;

  @Option(
      names = "--connections",
      defaultValue = "4",
      description = "SMTP connections (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(
      names = "--console",
      description =
          "After the report, keep everything running with the operator console on --console-port, to"
              + " browse the demo's dead letters and events; Ctrl-C stops.")
  boolean console;

  @Option(
      names = "--console-port",
      defaultValue = "8080",
      description =
          "The console's port with --console (default ${DEFAULT-VALUE}; 0: any free port).")
  int consolePort;

  @Option(
      names = "--json",
      description = "End with the report as one JSON object on the last line of output.")
  boolean json;

  /**
   * Every 20th recipient is unknown; every 10th message is refused with 451 the first time it is
   * offered.
   */
  static final class DemoFaults implements Faults {
    final AtomicBoolean refusing = new AtomicBoolean(true);

    @Override
    public Reply recipient(String address) {
      return refusing.get() && address.startsWith("bounce-")
          ? new Reply(550, "5.1.1 User unknown")
          : null;
    }

    @Override
    public Reply data(String messageId, List<String> recipients, int offered) {
      return offered == 1 && recipients.get(0).startsWith("later-")
          ? new Reply(451, "4.3.0 Try again later")
          : null;
    }
  }

  @Override
  public Integer call() throws Exception {
    if (jobs < 1 || connections < 1 || connections > 1024) {
      System.err.println(
          "postbus demo: --jobs must be at least 1 and --connections from 1 to 1024");
      return Postbus.EXIT_CONFIG;
    }
    System.err.printf(
        "Starting an in-process Kafka broker, an SMTP capture server and a worker with %d connections...%n",
        connections);
    var layout =
        new DevStack.Layout(
            Files.createTempDirectory("postbus-demo-"),
            true,
            FreePort.pick(),
            FreePort.pick(),
            0,
            0);
    try (DevStack stack = DevStack.start(layout, connections, DEMO_SETTINGS)) {
      DemoFaults faults = new DemoFaults();
      stack.capture.faults(faults);
      int result = run(stack, faults);
      if (console) {
        browse(stack);
      }
      return result;
    }
  }

  private int run(DevStack stack, DemoFaults faults) throws Exception {
    WorkerStats stats = stack.worker.stats();
    long started = System.nanoTime();
    try (JobPublisher publisher =
        JobPublisher.create(PublisherConfig.of(stack.kafka.bootstrapServers(), stack.topic))) {
      String run = Long.toString(System.currentTimeMillis(), 36);
      List<CompletableFuture<?>> published = new ArrayList<>(jobs);
      for (int i = 0; i < jobs; i++) {
        published.add(publisher.publish(job(run, i)));
      }
      CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).join();
    }
    awaitProgress(
        "Delivering", () -> stats.snapshot().delivered() + stats.snapshot().deadLettered());
    double firstPass = (System.nanoTime() - started) / 1e9;

    Replayer replayer =
        new Replayer(
            Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka.bootstrapServers()),
            stack.topic);
    List<DeadLetter> dead = replayer.list(DeadLetterFilter.ALL, Integer.MAX_VALUE);
    long replayed = 0;
    long suppressed = stack.worker.suppressions().added();
    if (!dead.isEmpty()) {
      showDeadLetters(dead, suppressed);
      faults.refusing.set(false);
      unsuppress(stack);
      replayed =
          replayer
              .replay(
                  new Replayer.Request(DeadLetterFilter.ALL, false, Integer.MAX_VALUE, 0), d -> {})
              .matched();
      awaitProgress("Replaying", () -> stats.snapshot().delivered());
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    WorkerStats.Snapshot s = stats.snapshot();
    boolean complete = s.delivered() == jobs && stack.capture.received() == jobs;
    print(s, replayed, suppressed, firstPass, seconds, stack);
    if (!complete) {
      System.err.printf(
          "postbus demo: only %d of %d jobs delivered (capture server received %d)%n",
          s.delivered(), jobs, stack.capture.received());
    }
    return complete ? 0 : 1;
  }

  /** The operator console over the demo's stack, until Ctrl-C. */
  private void browse(DevStack stack) throws InterruptedException {
    ConsoleServer server = stack.startConsole(consolePort);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "postbus-demo-console-stop"));
    System.out.printf(
        "%nThe demo's dead letters and events, in the operator console: %s/dead-letters"
            + " (Ctrl-C to stop)%n",
        server.url());
    System.out.flush();
    stopped.await();
  }

  private void awaitProgress(String task, LongSupplier done) throws InterruptedException {
    long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
    try (ProgressBar bar =
        System.console() == null
            ? null
            : new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(jobs)
                .setUpdateIntervalMillis(100)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .build()) {
      while (done.getAsLong() < jobs && System.currentTimeMillis() < deadline) {
        if (bar != null) {
          bar.stepTo(done.getAsLong());
        }
        Thread.sleep(50);
      }
      if (bar != null) {
        bar.stepTo(done.getAsLong());
      }
    }
  }

  private static Job job(String run, int i) {
    String kind = i % 20 == 7 ? "bounce" : i % 10 == 3 ? "later" : "user";
    return Job.text(
        "demo-" + run + "-" + i,
        "Postbus Demo <demo@example.com>",
        kind + "-" + i + "@example.net",
        "Your receipt #" + i,
        "Hello,\n\nthank you for your order #" + i + ".\n\n-- Postbus demo\n");
  }

  /**
   * Takes every address off the suppression list, as an operator does once the cause is fixed, and
   * waits until the worker has seen it (a replay before that would be suppressed again).
   */
  private static void unsuppress(DevStack stack) throws Exception {
    Map<String, Object> kafka =
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka.bootstrapServers());
    String topic = SuppressionTopic.of(stack.topic);
    var list = SuppressionReader.readAll(kafka, topic, Duration.ofMinutes(1), problem -> {});
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            dev.postbus.kafka.DurableProducer.settings(kafka),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      SuppressionWriter writer = new SuppressionWriter(producer, topic);
      list.keySet().forEach(k -> writer.remove(k.address(), k.list()));
      producer.flush();
    }
    long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
    while (stack.worker.suppressions().size() > 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
  }

  private static void showDeadLetters(List<DeadLetter> dead, long suppressed) {
    System.out.printf(
        "%n%d jobs were dead-lettered (the capture server refused their recipients). The first of them:%n",
        dead.size());
    for (DeadLetter d : dead.subList(0, Math.min(5, dead.size()))) {
      System.out.printf(
          "  %s  %-28s  %-9s  %s %s  %s%n",
          d.time().truncatedTo(ChronoUnit.SECONDS),
          d.jobId(),
          d.failureClass(),
          d.code(),
          d.enhancedCode(),
          d.reason());
    }
    System.out.printf(
        """
        The worker put their %d addresses on the suppression list: no worker mails them again.
        An operator sees them with `postbus dlt list` and `postbus suppressions list`; once the cause is
        fixed, takes the addresses off the list and replays the dead letters:
          postbus suppressions remove ADDRESS
          postbus dlt replay --code 5.1.1            (add --dry-run to see what would go)
        The demo does that now, with the capture server accepting those recipients.

        """,
        suppressed);
  }

  private void print(
      WorkerStats.Snapshot s,
      long replayed,
      long suppressed,
      double firstPass,
      double seconds,
      DevStack stack)
      throws Exception {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("published", jobs);
    report.put("delivered", s.delivered());
    report.put("deadLettered", s.deadLettered());
    report.put("retried", s.retried());
    report.put("replayed", replayed);
    report.put("suppressed", suppressed);
    report.put("seconds", Math.round(seconds * 100) / 100.0);
    report.put("messagesPerSecond", Math.round(jobs / firstPass));
    System.out.printf(
        """
        published      %d
        delivered      %d
        dead-lettered  %d   (replayed %d, then delivered)
        suppressed     %d   (addresses put on the suppression list; removed before the replay)
        retried        %d   (451 the first time; delivered from the retry ladder)
        seconds        %.2f
        messages/s     %d   (first pass, until every job was delivered or dead-lettered)
        (captured by the SMTP server: %d)
        """,
        jobs,
        s.delivered(),
        s.deadLettered(),
        replayed,
        suppressed,
        s.retried(),
        seconds,
        Math.round(jobs / firstPass),
        stack.capture.received());
    if (json) {
      System.out.println(new ObjectMapper().writeValueAsString(report));
    }
  }
}
