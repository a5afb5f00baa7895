package dev.postbus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postbus.job.Unsubscribe;
import dev.postbus.suppression.Addresses;
import dev.postbus.suppression.Source;
import dev.postbus.suppression.Suppression;
import dev.postbus.suppression.SuppressionCodec;
import dev.postbus.suppression.SuppressionReader;
import dev.postbus.suppression.SuppressionTopic;
import dev.postbus.suppression.SuppressionWriter;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "suppressions",
    mixinStandardHelpOptions = true,
    description = {
      "Inspect and change the suppression list (<topic>.suppressions): addresses no worker mails.",
      "Workers add an address refused permanently with a code of suppression.codes (5.1.1 ...);",
      "every worker follows the list live. Addresses are personal data: these commands print them",
      "because you asked; the workers' logs never do."
    },
    subcommands = {
      SuppressionsCommand.ListCommand.class,
      SuppressionsCommand.Check.class,
      SuppressionsCommand.Add.class,
      SuppressionsCommand.Remove.class,
      SuppressionsCommand.Import.class,
      SuppressionsCommand.Export.class
    })
final class SuppressionsCommand {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

  /** Exit code of {@code check} when the address is not on the list. */
  static final int EXIT_NOT_SUPPRESSED = 1;

  /**
   * The list now, by entry (normalized address and list, or none: global); malformed records are
   * counted on standard error.
   */
  static Map<SuppressionCodec.Key, Suppression> read(KafkaOptions kafka) {
    kafka.requireKafka();
    int[] malformed = {0};
    Map<SuppressionCodec.Key, Suppression> list;
    try {
      list =
          SuppressionReader.readAll(
              kafka.clientProperties(), topic(kafka), READ_TIMEOUT, problem -> malformed[0]++);
    } catch (IllegalStateException e) { // the topic is missing, or could not be read in time
      throw new IllegalArgumentException(e.getMessage());
    }
    skipped(kafka, malformed[0]);
    return list;
  }

  /**
   * Every entry (global and scoped to a list) by its key, or none when the topic does not exist now
   * (nothing was ever suppressed; asked once, not waited for) or cannot be read. For a command that
   * has checked Kafka is reachable already ({@link KafkaOptions#requireKafka}).
   */
  static Map<SuppressionCodec.Key, Suppression> readIfThere(KafkaOptions kafka) {
    int[] malformed = {0};
    java.util.Optional<Map<SuppressionCodec.Key, Suppression>> list;
    try {
      list =
          SuppressionReader.readAllIfThere(
              kafka.clientProperties(), topic(kafka), READ_TIMEOUT, problem -> malformed[0]++);
    } catch (IllegalStateException e) { // could not be read in time
      System.err.println("postbus: not checking the suppression list: " + e.getMessage());
      return Map.of();
    }
    if (list.isEmpty()) {
      System.err.println(
          "postbus: not checking the suppression list: the suppression list topic "
              + topic(kafka)
              + " does not exist");
      return Map.of();
    }
    skipped(kafka, malformed[0]);
    return list.get();
  }

  private static void skipped(KafkaOptions kafka, int malformed) {
    if (malformed > 0) {
      System.err.println(
          "postbus suppressions: skipped " + malformed + " malformed records on " + topic(kafka));
    }
  }

  static String topic(KafkaOptions kafka) {
    return SuppressionTopic.of(kafka.topic());
  }

  static KafkaProducer<byte[], byte[]> producer(KafkaOptions kafka) {
    return new KafkaProducer<>(
        dev.postbus.kafka.DurableProducer.settings(kafka.clientProperties()),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  /** The address, normalized, or a one-line refusal naming it (exit code 2). */
  static String valid(String address, String where) {
    return Addresses.requireValid(address, where);
  }

  /** The list name of {@code --list}, checked, or null. */
  static String list(String list) {
    if (list != null && !Unsubscribe.isValidList(list)) {
      throw new IllegalArgumentException("--list " + Unsubscribe.LIST_RULE);
    }
    return list;
  }

  static String scope(Suppression s) {
    return s.list() == null ? "global" : "list:" + s.list();
  }

  static ObjectNode json(Suppression s) {
    ObjectNode o = JSON.createObjectNode();
    o.put("address", s.address());
    o.put("scope", scope(s));
    o.put("source", s.source().label());
    o.put("reason", s.reason());
    if (s.code() != null) {
      o.put("code", s.code());
    }
    if (s.enhancedCode() != null) {
      o.put("enhancedCode", s.enhancedCode());
    }
    o.put("at", s.at().toString());
    if (s.expiresAt() != null) {
      o.put("expiresAt", s.expiresAt().toString());
    }
    return o;
  }

  static void await(List<Future<RecordMetadata>> sent) throws Exception {
    for (Future<RecordMetadata> f : sent) {
      f.get(30, TimeUnit.SECONDS);
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "List suppressed addresses: address, scope (global or list:<name>), source, code, since,"
              + " expiry, reason.")
  static final class ListCommand implements Callable<Integer> {
    @Mixin KafkaOptions kafka;

    @Option(
        names = "--source",
        paramLabel = "SOURCE",
        description = "Only entries from bounce, operator, import, feedback or unsubscribe.")
    String source;

    @Option(
        names = "--list",
        paramLabel = "LIST",
        description = "Only entries scoped to this list (an unsubscribe.list).")
    String list;

    @Option(
        names = "--since",
        paramLabel = "WHEN",
        description = "Only entries added at or after: ISO-8601 time or an age (2h, 7d).")
    String since;

    @Option(names = "--json", description = "One JSON object per line instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      Source only = source == null ? null : Source.fromLabel(source);
      if (source != null && only == null) {
        throw new IllegalArgumentException("--source must be one of " + Source.labels());
      }
      Instant from = dev.postbus.replay.Times.instantOrAge(since, "--since", Instant.now());
      Instant now = Instant.now();
      String onlyList = list(list);
      int shown = 0;
      String format = "%-40s  %-16s  %-11s  %-10s  %-20s  %-20s  %s%n";
      if (!json) {
        System.out.printf(
            format, "ADDRESS", "SCOPE", "SOURCE", "CODE", "SINCE", "EXPIRES", "REASON");
      }
      for (Suppression s : read(kafka).values()) {
        if ((only != null && s.source() != only)
            || (from != null && s.at().isBefore(from))
            || (onlyList != null && !onlyList.equals(s.list()))) {
          continue;
        }
        shown++;
        if (json) {
          System.out.println(JSON.writeValueAsString(json(s)));
        } else {
          System.out.printf(
              format,
              s.address(),
              scope(s),
              s.source().label(),
              ((s.code() == null ? "" : s.code()) + " " + nonNull(s.enhancedCode())).strip(),
              s.at().truncatedTo(ChronoUnit.SECONDS),
              s.expiresAt() == null
                  ? "never"
                  : s.expired(now) ? "expired" : s.expiresAt().truncatedTo(ChronoUnit.SECONDS),
              s.reason());
        }
      }
      if (!json) {
        System.out.println(shown + " suppressed addresses");
      }
      return 0;
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Say whether an address is suppressed, and why (exit code 1 when it is not).",
        "For mail of no list (transactional) only a global entry counts; with --list L, an entry",
        "scoped to L counts too."
      })
  static final class Check implements Callable<Integer> {
    @Mixin KafkaOptions kafka;

    @Parameters(paramLabel = "ADDRESS")
    String address;

    @Option(
        names = "--list",
        paramLabel = "LIST",
        description = "Check for mail of this list (a job's unsubscribe.list).")
    String list;

    @Override
    public Integer call() throws Exception {
      String a = valid(address, "ADDRESS");
      String l = list(list);
      Map<SuppressionCodec.Key, Suppression> all = read(kafka);
      Suppression s = all.get(new SuppressionCodec.Key(a, null));
      if ((s == null || s.expired(Instant.now())) && l != null) {
        s = all.get(new SuppressionCodec.Key(a, l));
      }
      for (Suppression other : all.values()) {
        if (other.address().equals(a) && other.list() != null && !other.list().equals(l)) {
          System.out.println(a + " has left list " + other.list() + " (" + other.reason() + ")");
        }
      }
      if (s == null || s.expired(Instant.now())) {
        System.out.println(
            a
                + " is not suppressed"
                + (s == null ? "" : " (its entry expired " + s.expiresAt() + ")"));
        return EXIT_NOT_SUPPRESSED;
      }
      System.out.println(
          a
              + " is suppressed"
              + (s.list() == null ? "" : " for list " + s.list())
              + " since "
              + s.at().truncatedTo(ChronoUnit.SECONDS)
              + " ("
              + s.source().label()
              + "): "
              + s.reason()
              + (s.expiresAt() == null ? "" : "; until " + s.expiresAt()));
      return 0;
    }
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = {
        "Suppress an address: no worker mails it from about a second later.",
        "With --list L, only mail of that list (jobs with unsubscribe.list L) is kept from it."
      })
  static final class Add implements Callable<Integer> {
    @Mixin KafkaOptions kafka;

    @Parameters(paramLabel = "ADDRESS")
    String address;

    @Option(
        names = "--list",
        paramLabel = "LIST",
        description = "Scope the entry to this list; default: global (every mail).")
    String list;

    @Option(
        names = "--reason",
        defaultValue = "added by an operator",
        description = "Why, for whoever looks later (default: ${DEFAULT-VALUE}).")
    String reason;

    @Option(
        names = "--expires",
        paramLabel = "WHEN",
        description =
            "Stop suppressing at this ISO-8601 time or after this long (30d); default never.")
    String expires;

    @Override
    public Integer call() throws Exception {
      String a = valid(address, "ADDRESS");
      String l = list(list);
      Instant now = Instant.now();
      Instant until = expiry(expires, now);
      kafka.requireKafka();
      Suppression s = new Suppression(a, reason, null, null, Source.OPERATOR, now, until, l);
      try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
        new SuppressionWriter(producer, topic(kafka)).add(s).get(30, TimeUnit.SECONDS);
      }
      System.out.println(
          "suppressed " + a + " (" + scope(s) + ")" + (until == null ? "" : " until " + until));
      return 0;
    }
  }

  static Instant expiry(String text, Instant now) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (RuntimeException notAnInstant) {
      try {
        return now.plus(
            dev.postbus.worker.config.ValueType.duration(
                    Duration.ofSeconds(1), Duration.ofDays(36500))
                .parse()
                .apply(text));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "--expires must be an ISO-8601 time (2027-01-01T00:00:00Z) or a duration (30d, 12h); got '"
                + text
                + "'");
      }
    }
  }

  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description =
          "Take an address off the list (its global entry, or with --list L the one scoped to L):"
              + " workers mail it again from about a second later.")
  static final class Remove implements Callable<Integer> {
    @Mixin KafkaOptions kafka;

    @Parameters(paramLabel = "ADDRESS")
    String address;

    @Option(
        names = "--list",
        paramLabel = "LIST",
        description = "Remove the entry scoped to this list; default: the global entry.")
    String list;

    @Override
    public Integer call() throws Exception {
      String a = valid(address, "ADDRESS");
      String l = list(list);
      Suppression was = read(kafka).get(new SuppressionCodec.Key(a, l));
      String scope = l == null ? "global" : "list:" + l;
      if (was == null) {
        System.out.println(a + " had no " + scope + " entry; nothing to remove");
        return 0;
      }
      try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
        new SuppressionWriter(producer, topic(kafka)).remove(a, l).get(30, TimeUnit.SECONDS);
      }
      System.out.println(
          "removed "
              + a
              + " ("
              + scope
              + ", suppressed since "
              + was.at().truncatedTo(ChronoUnit.SECONDS)
              + ", "
              + was.source().label()
              + ": "
              + was.reason()
              + "); replay its dead letters with `postbus dlt replay --class suppressed`");
      return 0;
    }
  }

  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description = {
        "Suppress every address of a file: one per line; blank lines and lines starting with # skipped.",
        "The whole file is checked first: one invalid line refuses it all, naming the line (exit code 2)."
      })
  static final class Import implements Callable<Integer> {
    @Mixin KafkaOptions kafka;

    @Parameters(paramLabel = "FILE", description = "The file, or - for standard input.")
    String file;

    @Option(
        names = "--reason",
        defaultValue = "imported",
        description = "The reason of every entry (default: ${DEFAULT-VALUE}).")
    String reason;

    @Override
    public Integer call() throws Exception {
      LinkedHashSet<String> addresses = new LinkedHashSet<>();
      try (BufferedReader in =
          file.equals("-")
              ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
              : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
        String line;
        int number = 0;
        while ((line = in.readLine()) != null) {
          number++;
          String text = line.strip();
          if (text.isEmpty() || text.startsWith("#")) {
            continue;
          }
          addresses.add(valid(text, (file.equals("-") ? "(stdin)" : file) + ":" + number));
        }
      } catch (java.nio.file.NoSuchFileException e) {
        throw new IllegalArgumentException(file + ": no such file");
      }
      kafka.requireKafka();
      Instant now = Instant.now();
      try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
        SuppressionWriter writer = new SuppressionWriter(producer, topic(kafka));
        List<Future<RecordMetadata>> sent = new ArrayList<>(addresses.size());
        for (String a : addresses) {
          sent.add(writer.add(new Suppression(a, reason, null, null, Source.IMPORT, now, null)));
        }
        await(sent);
      }
      System.out.println("imported " + addresses.size() + " addresses into " + topic(kafka));
      return 0;
    }
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description =
          "Print every globally suppressed address, one per line (what import reads), or JSON lines"
              + " (with the entries scoped to a list too, and their scope).")
  static final class Export implements Callable<Integer> {
    @Mixin KafkaOptions kafka;

    @Option(names = "--json", description = "One JSON object per line, with source and reason.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      Instant now = Instant.now();
      for (Suppression s : read(kafka).values()) {
        if (s.expired(now) || (!json && !s.global())) {
          continue; // a plain address imports as global: scoped entries only in --json
        }
        System.out.println(json ? JSON.writeValueAsString(json(s)) : s.address());
      }
      return 0;
    }
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }
}
