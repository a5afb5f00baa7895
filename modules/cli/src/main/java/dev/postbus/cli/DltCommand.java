package dev.postbus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postbus.job.JobClass;
import dev.postbus.replay.DeadLetter;
import dev.postbus.replay.DeadLetterFilter;
import dev.postbus.replay.DeadLetterRow;
import dev.postbus.replay.MissingTopicException;
import dev.postbus.replay.Replayer;
import dev.postbus.replay.Selection;
import dev.postbus.replay.TimeBound;
import dev.postbus.suppression.Suppression;
import dev.postbus.suppression.SuppressionCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.common.header.Header;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "dlt",
    mixinStandardHelpOptions = true,
    description = "Inspect the dead-letter topic (<topic>.dlt) and replay chosen dead letters.",
    subcommands = {DltCommand.ListCommand.class, DltCommand.Show.class, DltCommand.Replay.class})
final class DltCommand {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Which dead letters: every option given must match. */
  static final class Filters {
    @Option(
        names = "--since",
        paramLabel = "WHEN",
        description = "Failed at or after: ISO-8601 time or an age such as 2h, 30m, 7d.")
    String since;

    @Option(
        names = "--until",
        paramLabel = "WHEN",
        description = "Failed before: ISO-8601 time or an age.")
    String until;

    @Option(
        names = "--class",
        paramLabel = "CLASS",
        description =
            "permanent, transient, poison, expired, suppressed, conflict (comma-separated).")
    List<String> classes = new ArrayList<>();

    @Option(
        names = "--code",
        paramLabel = "CODE",
        description = "Reply or enhanced code, or a pattern: 550, 5.1.1, 4.7.*")
    String code;

    @Option(
        names = "--domain",
        paramLabel = "DOMAIN",
        description = "A recipient domain, e.g. gmail.com.")
    String domain;

    @Option(
        names = "--id",
        paramLabel = "JOB_ID",
        description = "Job ids (comma-separated or repeated).")
    List<String> ids = new ArrayList<>();

    /**
     * The filter, its ages resolved once, now. An age stays part of the replay's identity as typed:
     * {@code --since 1d} run again later is the same replay and republishes nothing twice.
     */
    DeadLetterFilter toFilter() {
      Instant now = Instant.now();
      return new DeadLetterFilter(
          TimeBound.parse(since, "--since", now),
          TimeBound.parse(until, "--until", now),
          listed(classes, "--class", "class"),
          code,
          domain,
          ids.isEmpty() ? Selection.ALL : Selection.jobIds(listed(ids, "--id", "job id")));
    }

    /**
     * The values of a list option as typed (comma-separated, repeated), spaces around each trimmed,
     * empty ones between commas dropped. An option given with nothing in it ({@code --id ,}) is
     * refused: it never widens to "all".
     */
    static Set<String> listed(List<String> typed, String option, String what) {
      Set<String> out = new LinkedHashSet<>();
      for (String value : typed) {
        List<String> words =
            Arrays.stream(value.split(",")).map(String::strip).filter(w -> !w.isEmpty()).toList();
        if (words.isEmpty()) {
          throw new IllegalArgumentException(
              option
                  + ": give at least one "
                  + what
                  + " (comma-separated), got '"
                  + value
                  + "' (leave the option out for all)");
        }
        out.addAll(words);
      }
      return out;
    }
  }

  static Replayer replayer(KafkaOptions kafka) {
    kafka.requireKafka();
    return new Replayer(kafka.clientProperties(), kafka.topic());
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List dead letters: time, job id, class, code, reason, recipient domain.")
  static final class ListCommand implements Callable<Integer> {
    @Mixin KafkaOptions kafka;

    @ArgGroup(exclusive = false)
    Filters filters = new Filters();

    @Option(
        names = "--limit",
        defaultValue = "1000",
        description = "Most rows (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "One JSON array instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      DeadLetterFilter filter = filters.toFilter(); // a usage error before asking Kafka
      List<DeadLetter> found = replayer(kafka).list(filter, limit);
      if (json) {
        ArrayNode array = JSON.createArrayNode();
        found.forEach(d -> array.add(summary(d)));
        System.out.println(JSON.writeValueAsString(array));
      } else {
        printTable(found);
      }
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show every dead letter of a job: headers and payload.")
  static final class Show implements Callable<Integer> {
    @Mixin KafkaOptions kafka;

    @Parameters(paramLabel = "JOB_ID")
    String id;

    @Override
    public Integer call() throws Exception {
      List<DeadLetter> found =
          replayer(kafka)
              .list(DeadLetterFilter.of(Selection.jobIds(java.util.Set.of(id))), Integer.MAX_VALUE);
      if (found.isEmpty()) {
        System.err.println("postbus dlt show: no dead letter for job " + id);
        return 1;
      }
      for (DeadLetter d : found) {
        System.out.println("dead letter " + d.position() + " of job " + d.jobId());
        for (Header h : d.record().headers()) {
          System.out.println("  " + h.key() + ": " + DeadLetter.text(h));
        }
        if (d.payloadOmitted()) {
          System.out.println("  payload omitted: " + d.payloadOmittedNote());
        } else {
          System.out.println("  payload:");
          System.out.println("  " + new String(d.record().value(), StandardCharsets.UTF_8));
        }
      }
      return 0;
    }
  }

  @Command(
      name = "replay",
      mixinStandardHelpOptions = true,
      description = {
        "Republish the matching dead letters (fresh attempt count, replay-count + 1).",
        "Each goes to its class's topic: a bulk one (postbus.class header) to <topic>.bulk, any other"
            + " to the jobs topic.",
        "The same replay run twice publishes nothing the second time."
      })
  static final class Replay implements Callable<Integer> {
    @Mixin KafkaOptions kafka;

    @ArgGroup(exclusive = false)
    Filters filters = new Filters();

    @Option(
        names = "--dry-run",
        description = "List what would be replayed; publish nothing, remember nothing.")
    boolean dryRun;

    @Option(
        names = "--limit",
        defaultValue = "2147483647",
        description = "Replay at most this many.")
    int limit;

    @Option(
        names = "--rate",
        defaultValue = "0",
        paramLabel = "PER_SECOND",
        description = "At most this many per second (0: no limit).")
    double rate;

    @Override
    public Integer call() throws Exception {
      if (limit < 1 || rate < 0) {
        System.err.println("postbus dlt replay: --limit must be at least 1 and --rate at least 0");
        return Postbus.EXIT_CONFIG;
      }
      DeadLetterFilter filter = filters.toFilter(); // a usage error before asking Kafka
      Replayer replayer = replayer(kafka);
      java.util.Map<SuppressionCodec.Key, Suppression> suppressed =
          SuppressionsCommand.readIfThere(kafka);
      Instant now = Instant.now();
      int[] stillSuppressed = {0};
      Replayer.Result result;
      try {
        result = replay(replayer, filter, suppressed, now, stillSuppressed);
      } catch (MissingTopicException e) {
        System.err.println("postbus dlt replay: " + e.getMessage());
        for (Throwable also : e.getSuppressed()) {
          System.err.println("postbus dlt replay: and before it, Kafka refused: " + also);
        }
        return 1;
      }
      for (DeadLetterRow r : result.notReplayableSample()) {
        System.out.println(
            "not replayable "
                + r.jobId()
                + "  "
                + r.notReplayable()
                + "; the original is at "
                + r.original()
                + " while the jobs topic keeps it");
      }
      if (result.notReplayable() > result.notReplayableSample().size()) {
        System.out.println(
            "and "
                + (result.notReplayable() - result.notReplayableSample().size())
                + " more not replayable");
      }
      if (dryRun) {
        System.out.println(
            "dry run: "
                + result.matched()
                + " of "
                + result.scanned()
                + " dead letters would be replayed to "
                + kafka.topic()
                + classes(result, kafka.topic())
                + "; nothing published");
        for (String t : result.missingTopics()) {
          System.out.println("warning: " + MissingTopicException.warning(t, kafka.topic()));
        }
      } else {
        System.out.println(
            result.matched()
                + " dead letters replayed to "
                + kafka.topic()
                + classes(result, kafka.topic())
                + " ("
                + result.scanned()
                + " scanned; progress kept in consumer group "
                + result.group()
                + ")");
        if (result.shared()) {
          System.out.println(
              "another run of the same replay was under way at the same time: it republished"
                  + " the dead letters of the partitions it held (each dead letter once)");
        }
      }
      if (stillSuppressed[0] > 0) {
        System.out.println(
            stillSuppressed[0]
                + (dryRun ? " of them would" : " of them will")
                + " be dead-lettered as suppressed again: their recipients are still on the"
                + " suppression list (`postbus suppressions remove ADDRESS`, with `--list LIST` for"
                + " a list's entry, first, then replay)");
      }
      return 0;
    }

    /** Replays, printing each dead letter as it comes (the result keeps no rows). */
    private Replayer.Result replay(
        Replayer replayer,
        DeadLetterFilter filter,
        java.util.Map<SuppressionCodec.Key, Suppression> suppressed,
        Instant now,
        int[] stillSuppressed)
        throws Exception {
      return replayer.replay(
          // each is printed as it comes: the result keeps no rows
          new Replayer.Request(filter, dryRun, limit, rate, 0),
          d -> {
            long held = held(d.recipients(), d.list(), suppressed, now);
            if (held > 0 && held == d.recipients().size()) {
              stillSuppressed[0]++;
            }
            System.out.println(
                (dryRun ? "would replay " : "replaying ")
                    + d.jobId()
                    + "  "
                    + d.failureClass()
                    + " "
                    + codes(d)
                    + "  "
                    + d.time().truncatedTo(ChronoUnit.SECONDS)
                    + destination(replayer, d, dryRun)
                    + (held == 0
                        ? ""
                        : held == d.recipients().size()
                            ? "  every recipient still suppressed: it will end as suppressed again"
                            : "  " + held + " of its recipients still suppressed"));
          });
    }

    /**
     * Where a dead letter goes, when not simply the jobs topic: its class's topic, as its {@code
     * postbus.class} header says, or the jobs topic for a header naming neither class.
     */
    private static String destination(Replayer replayer, DeadLetter d, boolean dryRun) {
      String unknown = Replayer.unknownClass(d);
      String to = replayer.destination(d);
      if (unknown != null) {
        return "  class header \""
            + printable(unknown)
            + "\" names neither class: "
            + (dryRun ? "would be replayed to " : "replayed to ")
            + to;
      }
      return to.equals(replayer.jobsTopic()) ? "" : "  bulk, to " + to;
    }

    /** The summary's account of the classes: how many went to the bulk topic, how many unknown. */
    private static String classes(Replayer.Result result, String topic) {
      return (result.bulk() == 0
              ? ""
              : " (" + result.bulk() + " of them bulk, to " + JobClass.BULK.topic(topic) + ")")
          + (result.unknownClass() == 0
              ? ""
              : " ("
                  + result.unknownClass()
                  + " of them with a postbus.class header naming neither class, to "
                  + topic
                  + ")");
    }

    /** A header's text as shown on a terminal: no control characters, at most 40 characters. */
    private static String printable(String v) {
      String clean =
          v.codePoints()
              .map(c -> Character.isISOControl(c) ? '?' : c)
              .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
              .toString();
      return clean.length() > 40 ? clean.substring(0, 40) + "…" : clean;
    }

    /**
     * How many of {@code recipients} the suppression list still holds for a job of {@code jobList}
     * (null: a job of no list): a global entry holds every job, a list's entry only that list's.
     */
    static long held(
        java.util.List<String> recipients,
        String jobList,
        java.util.Map<SuppressionCodec.Key, Suppression> entries,
        Instant now) {
      return recipients.stream()
          .filter(
              a ->
                  holds(entries.get(new SuppressionCodec.Key(a, null)), now)
                      || jobList != null
                          && holds(entries.get(new SuppressionCodec.Key(a, jobList)), now))
          .count();
    }

    private static boolean holds(Suppression s, Instant now) {
      return s != null && !s.expired(now);
    }
  }

  static ObjectNode summary(DeadLetter d) {
    ObjectNode o = JSON.createObjectNode();
    o.put("time", d.time().toString());
    o.put("jobId", d.jobId());
    o.put("class", d.failureClass());
    o.put("code", d.code());
    o.put("enhancedCode", d.enhancedCode());
    o.put("reason", d.reason());
    ArrayNode domains = o.putArray("recipientDomains");
    d.recipientDomains().forEach(domains::add);
    o.put("position", d.position());
    o.put("replayCount", d.replayCount());
    return o;
  }

  private static String codes(DeadLetter d) {
    return (d.code() + " " + d.enhancedCode()).strip();
  }

  private static void printTable(List<DeadLetter> found) {
    String format = "%-20s  %-28s  %-9s  %-10s  %-24s  %s%n";
    System.out.printf(format, "TIME", "JOB ID", "CLASS", "CODE", "DOMAIN", "REASON");
    for (DeadLetter d : found) {
      System.out.printf(
          format,
          d.time().truncatedTo(ChronoUnit.SECONDS),
          cut(d.jobId(), 28),
          d.failureClass(),
          codes(d),
          cut(String.join(",", d.recipientDomains()), 24),
          cut(d.reason(), 70));
    }
    System.out.println(found.size() + " dead letters");
  }

  private static String cut(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }
}
