package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.kafka.DurableProducer;
import dev.postbus.replay.DeadLetterFilter;
import dev.postbus.replay.Replayer;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * "Running the same replay again republishes nothing": for a filter by age run twice, and for two
 * runs of one replay at the same time (two operators, two tabs, a double-click).
 */
@ExtendWith(SharedKafka.class)
class ReplayOnceIT {

  @Test
  void theSameReplayByAgeRunTwiceRepublishesNothingTheSecondTime(EmbeddedKafka kafka)
      throws Exception {
    String topic = topics(kafka, "age");
    deadLetters(kafka, topic, "aged", 3);

    CliIT.Result first = replay(kafka, topic, "--since", "1d", "--class", "permanent");
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).contains("3 dead letters replayed");

    CliIT.Result again = replay(kafka, topic, "--since", "1d", "--class", "permanent");
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("0 dead letters replayed");
    // both runs have ended: the topic to its end holds all they published
    assertThat(TopicReader.read(kafka.bootstrapServers(), topic, 3, Duration.ofSeconds(30)))
        .hasSize(3);
  }

  @Test
  void twoRunsOfOneReplayAtOnceRepublishEachDeadLetterOnce(EmbeddedKafka kafka) throws Exception {
    String topic = topics(kafka, "twice");
    deadLetters(kafka, topic, "both", 40);
    Replayer replayer = new Replayer(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic);
    // each run waits (a little) on its first dead letter for the other to reach its own: both
    // are under way at once, as two confirmations a moment apart are
    CountDownLatch bothUnderWay = new CountDownLatch(2);
    Function<String, CompletableFuture<Void>> run =
        name ->
            CompletableFuture.runAsync(
                () -> {
                  boolean[] first = {true};
                  try {
                    replayer.replay(
                        new Replayer.Request(DeadLetterFilter.ALL, false, Integer.MAX_VALUE, 0),
                        d -> {
                          if (first[0]) {
                            first[0] = false;
                            bothUnderWay.countDown();
                            awaitQuietly(bothUnderWay);
                          }
                        });
                  } catch (Exception e) {
                    throw new IllegalStateException(name + " failed", e);
                  }
                });
    CompletableFuture.allOf(run.apply("a"), run.apply("b")).get(2, TimeUnit.MINUTES);

    Map<String, Long> published =
        TopicReader.read(kafka.bootstrapServers(), topic, 40, Duration.ofSeconds(30)).stream()
            .collect(
                Collectors.groupingBy(
                    r -> new String(r.key(), StandardCharsets.UTF_8), Collectors.counting()));
    assertThat(published).hasSize(40);
    assertThat(published.values()).as("times each dead letter was republished").containsOnly(1L);
  }

  @Test
  void aDryRunOverMoreThanTheHeapHoldsOnlyWhatItShows(EmbeddedKafka kafka) throws Exception {
    String topic = topics(kafka, "large");
    String text = "x".repeat(20 * 1024);
    deadLetters(kafka, topic, "large", 4_000, text); // 80 MiB of payloads
    String printed = dryRunInItsOwnJvm(kafka, topic, "-Xmx48m");
    assertShowedEach(printed, "large", 4_000);
  }

  @Test
  void aDryRunOfLargeDeadLettersKeepsNoPayloadItDoesNotShow(EmbeddedKafka kafka) throws Exception {
    String topic = topics(kafka, "heavy");
    deadLetters(kafka, topic, "heavy", 70, "x".repeat(800 * 1024)); // 56 MiB, more than the heap
    String printed = dryRunInItsOwnJvm(kafka, topic, "-Xmx40m");
    assertShowedEach(printed, "heavy", 70);
  }

  /**
   * {@code postbus dlt replay --dry-run} in a JVM of its own with {@code heap}; what it printed.
   */
  private static String dryRunInItsOwnJvm(EmbeddedKafka kafka, String topic, String heap)
      throws Exception {
    List<String> command =
        PostbusJvm.command(
            List.of(heap), // the JVM's default compilers: the bound as users run it
            List.of("dlt", "replay", "-b", kafka.bootstrapServers(), "-t", topic, "--dry-run"));
    java.io.File out = java.io.File.createTempFile("postbus-out", ".txt");
    out.deleteOnExit();
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out).start();
    try {
      assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("the dry run finished").isTrue();
    } finally {
      p.destroyForcibly(); // never left running, whatever the test's outcome
    }
    String printed = java.nio.file.Files.readString(out.toPath());
    assertThat(p.exitValue())
        .as(printed.lines().filter(l -> !l.startsWith("would replay")).toList().toString())
        .isZero();
    return printed;
  }

  /**
   * The dry run showed each of the dead letters {@code prefix-0} to {@code prefix-(n-1)} and
   * counted them all. A failure shows the summary lines and the ids not shown, not every line
   * printed.
   */
  private static void assertShowedEach(String printed, String prefix, int n) {
    String shownPrefix = "would replay ";
    List<String> summary = printed.lines().filter(l -> !l.startsWith(shownPrefix)).toList();
    Set<String> shown =
        printed
            .lines()
            .filter(l -> l.startsWith(shownPrefix))
            .map(l -> l.substring(shownPrefix.length()).split(" ")[0])
            .collect(Collectors.toSet());
    List<String> missing =
        IntStream.range(0, n)
            .mapToObj(i -> prefix + "-" + i)
            .filter(id -> !shown.contains(id))
            .toList();
    String why =
        "the dry run's summary lines: "
            + summary
            + "; "
            + shown.size()
            + " dead letters shown, not shown: "
            + missing.subList(0, Math.min(20, missing.size()))
            + (missing.size() > 20 ? " and " + (missing.size() - 20) + " more" : "");
    assertThat(missing).as(why).isEmpty();
    assertThat(summary)
        .as(why)
        .anyMatch(
            l -> l.startsWith("dry run: " + n + " of " + n + " dead letters would be replayed"));
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS); // the other may be kept out: then go on alone
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code postbus dlt replay} in this JVM ({@link PostbusInProcess}). */
  static CliIT.Result replay(EmbeddedKafka kafka, String topic, String... filter) throws Exception {
    return PostbusInProcess.postbus(replayArgs(kafka, topic, filter));
  }

  /** {@code postbus dlt replay} through the launcher, in a JVM of its own, as a user runs it. */
  static CliIT.Result replayThroughLauncher(EmbeddedKafka kafka, String topic, String... filter)
      throws Exception {
    return CliIT.postbus(Map.of(), null, replayArgs(kafka, topic, filter));
  }

  private static String[] replayArgs(EmbeddedKafka kafka, String topic, String... filter) {
    List<String> args =
        new ArrayList<>(List.of("dlt", "replay", "-b", kafka.bootstrapServers(), "-t", topic));
    args.addAll(List.of(filter));
    return args.toArray(String[]::new);
  }

  static String topics(EmbeddedKafka kafka, String name) throws Exception {
    String topic = SharedKafka.uniqueName(name);
    try (var admin = kafka.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 2, (short) 1), new NewTopic(topic + ".dlt", 2, (short) 1)))
          .all()
          .get();
    }
    return topic;
  }

  /**
   * Dead letters as a worker writes them: permanent, failed an hour ago, spread over partitions.
   */
  static void deadLetters(EmbeddedKafka kafka, String topic, String prefix, int n)
      throws Exception {
    deadLetters(kafka, topic, prefix, n, "t");
  }

  static void deadLetters(EmbeddedKafka kafka, String topic, String prefix, int n, String text)
      throws Exception {
    String failed = Instant.now().minus(Duration.ofHours(1)).toString();
    Map<String, Future<RecordMetadata>> sent = new LinkedHashMap<>();
    // as Postbus's own producers write: with several requests in flight, the first batch of a
    // partition created a moment ago can fail for good (OUT_OF_ORDER_SEQUENCE_NUMBER on Kafka 4.4)
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(
            DurableProducer.settings(Map.of("bootstrap.servers", kafka.bootstrapServers())),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (int i = 0; i < n; i++) {
        String id = prefix + "-" + i;
        ProducerRecord<byte[], byte[]> r =
            new ProducerRecord<>(
                topic + ".dlt",
                i % 2,
                id.getBytes(StandardCharsets.UTF_8),
                ("{\"schema\":1,\"id\":\""
                        + id
                        + "\",\"from\":\"shop@example.com\",\"to\":[\""
                        + id
                        + "@example.net\"],\"subject\":\"s\",\"text\":\""
                        + text
                        + "\"}")
                    .getBytes(StandardCharsets.UTF_8));
        r.headers().add(PostbusHeaders.CLASS, bytes("permanent"));
        r.headers().add(PostbusHeaders.CODE, bytes("550"));
        r.headers().add(PostbusHeaders.ENHANCED_CODE, bytes("5.1.1"));
        r.headers().add(PostbusHeaders.LAST_FAILURE, bytes(failed));
        sent.put(id, p.send(r));
      }
      p.flush();
    }
    for (Map.Entry<String, Future<RecordMetadata>> s : sent.entrySet()) {
      try {
        s.getValue().get();
      } catch (ExecutionException e) {
        throw new AssertionError("the fixture could not write dead letter " + s.getKey(), e);
      }
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
