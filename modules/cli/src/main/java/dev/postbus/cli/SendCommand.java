package dev.postbus.cli;

import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublishReceipt;
import dev.postbus.client.PublisherConfig;
import dev.postbus.job.InvalidJobException;
import dev.postbus.job.Job;
import dev.postbus.job.JobClass;
import dev.postbus.job.MailAddress;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "send",
    mixinStandardHelpOptions = true,
    description = {
      "Publish jobs to the jobs topic, validated first.",
      "One from flags (--from, --to, --subject, --text/--html), or many as NDJSON (one JSON job per line)",
      "from --file or standard input."
    })
final class SendCommand implements Callable<Integer> {

  @Mixin KafkaOptions kafka;

  @Option(names = "--id", description = "Job id (generated when absent).")
  String id;

  @Option(names = "--from", paramLabel = "ADDRESS")
  String from;

  @Option(names = "--to", paramLabel = "ADDRESS", description = "Recipient; repeat for more.")
  List<String> to = new ArrayList<>();

  @Option(names = "--cc", paramLabel = "ADDRESS")
  List<String> cc = new ArrayList<>();

  @Option(names = "--bcc", paramLabel = "ADDRESS")
  List<String> bcc = new ArrayList<>();

  @Option(names = "--subject")
  String subject;

  @Option(names = "--text")
  String text;

  @Option(names = "--html")
  String html;

  @Option(
      names = "--tag",
      paramLabel = "KEY=VALUE",
      description = "Tag carried to outcome events; repeatable.")
  Map<String, String> tags = new LinkedHashMap<>();

  @Option(
      names = "--class",
      paramLabel = "CLASS",
      description =
          "transactional (default) or bulk: a bulk job goes to <topic>.bulk. With --file, each"
              + " line's own class field decides.")
  String jobClass;

  @Option(
      names = "--file",
      paramLabel = "FILE",
      description = "NDJSON file of jobs ('-' for standard input).")
  String file;

  @Override
  public Integer call() throws Exception {
    boolean fromFlags = from != null || !to.isEmpty() || subject != null;
    if (fromFlags && file != null) {
      System.err.println("postbus send: give a job by flags or --file, not both");
      return Postbus.EXIT_CONFIG;
    }
    if (jobClass != null && !fromFlags) {
      System.err.println(
          "postbus send: --class is for a job given by flags; a line says its class");
      return Postbus.EXIT_CONFIG;
    }
    JobClass chosen;
    try {
      chosen = jobClass == null ? JobClass.TRANSACTIONAL : JobClass.parse(jobClass, "--class");
    } catch (InvalidJobException e) {
      System.err.println("postbus send: " + e.getMessage());
      return Postbus.EXIT_CONFIG;
    }
    kafka.requireKafka();
    try (JobPublisher publisher =
        JobPublisher.create(
            new PublisherConfig(
                kafka.bootstrapServers(),
                kafka.topic(),
                dev.postbus.job.JobLimits.DEFAULTS,
                kafka.clientSettings()))) {
      if (fromFlags) {
        Job job =
            new Job(
                Job.SCHEMA,
                id,
                from == null ? null : MailAddress.parse(from),
                null,
                addresses(to),
                addresses(cc),
                addresses(bcc),
                subject,
                text,
                html,
                null,
                null,
                tags,
                null,
                null,
                chosen);
        return report(List.of(publisher.publish(job)), List.of("job"));
      }
      return sendLines(publisher);
    }
  }

  private int sendLines(JobPublisher publisher) throws Exception {
    List<CompletableFuture<PublishReceipt>> results = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    try (BufferedReader in =
        file == null || file.equals("-")
            ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
            : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = in.readLine()) != null) {
        number++;
        if (!line.isBlank()) {
          results.add(publisher.publishJson(line));
          labels.add("line " + number);
        }
      }
    }
    if (results.isEmpty()) {
      System.err.println(
          "postbus send: no jobs given (use flags, --file, or NDJSON on standard input)");
      return Postbus.EXIT_CONFIG;
    }
    return report(results, labels);
  }

  private static int report(List<CompletableFuture<PublishReceipt>> results, List<String> labels) {
    int failed = 0;
    for (int i = 0; i < results.size(); i++) {
      try {
        PublishReceipt r = results.get(i).join();
        System.out.println(
            "published " + r.jobId() + " to " + r.topic() + "-" + r.partition() + "@" + r.offset());
      } catch (CompletionException e) {
        failed++;
        System.err.println(
            "postbus send: " + labels.get(i) + " not published: " + e.getCause().getMessage());
      }
    }
    if (results.size() > 1) {
      System.err.println((results.size() - failed) + " published, " + failed + " refused");
    }
    return failed == 0 ? 0 : 1;
  }

  private static List<MailAddress> addresses(List<String> list) {
    return list.stream().map(MailAddress::parse).toList();
  }
}
