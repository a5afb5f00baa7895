package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.testkit.MinimalWorker;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.testkit.TopicReader;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.lifecycle.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * `postbus suppressions` and `postbus dlt replay` with the list. The commands run in this JVM; the
 * refusals of bad input run through the launcher, as a user runs them.
 */
@ExtendWith(SharedKafka.class)
class SuppressionsIT {

  /** The command in this JVM ({@link PostbusInProcess}). */
  private static CliIT.Result postbus(EmbeddedKafka kafka, String topic, String... args)
      throws Exception {
    return PostbusInProcess.postbus(withKafka(kafka, topic, args));
  }

  /** The command through the launcher, in a JVM of its own, as a user runs it. */
  private static CliIT.Result launcher(EmbeddedKafka kafka, String topic, String... args)
      throws Exception {
    return CliIT.postbus(Map.of(), null, withKafka(kafka, topic, args));
  }

  private static String[] withKafka(EmbeddedKafka kafka, String topic, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("-b", kafka.bootstrapServers(), "-t", topic));
    return all.toArray(String[]::new);
  }

  private static Worker worker(EmbeddedKafka kafka, SmtpCapture relay, String topic, int lanes) {
    Map<String, String> s = MinimalWorker.settings(kafka.bootstrapServers(), relay.port(), "sup");
    s.put("topic", topic);
    s.put("smtp.connections", Integer.toString(lanes));
    return Worker.start(WorkerConfig.from(Settings.of(s)));
  }

  @Test
  void aBouncedAddressIsSuppressedAndReplayedOnceAnOperatorRemovesIt(EmbeddedKafka kafka)
      throws Exception {
    String topic = SharedKafka.uniqueName("sup-jobs");
    AtomicBoolean refusing = new AtomicBoolean(true);
    try (SmtpCapture relay = SmtpCapture.start(0);
        Worker worker = worker(kafka, relay, topic, 2)) {
      relay.faults(
          new Faults() {
            @Override
            public Reply recipient(String address) {
              return refusing.get() && address.startsWith("gone@")
                  ? new Reply(550, "5.1.1 User unknown")
                  : null;
            }
          });
      publish(kafka, topic, List.of(job("bounce", "gone@example.net")));
      TopicReader.read(kafka.bootstrapServers(), topic + ".dlt", 1, Duration.ofSeconds(30));
      publish(kafka, topic, List.of(job("later", "gone@example.net")));
      TopicReader.read(kafka.bootstrapServers(), topic + ".dlt", 2, Duration.ofSeconds(30));

      CliIT.Result check = postbus(kafka, topic, "suppressions", "check", "GONE@example.net");
      assertThat(check.exit()).as(check.err()).isZero();
      assertThat(check.out())
          .contains(
              "gone@example.net is suppressed since", "(bounce): RCPT refused with 550 5.1.1");
      assertThat(postbus(kafka, topic, "suppressions", "list").out())
          .contains("gone@example.net", "bounce", "550 5.1.1", "1 suppressed addresses");
      assertThat(postbus(kafka, topic, "dlt", "list", "--class", "suppressed").out())
          .contains("later", "suppressed: RCPT refused with 550 5.1.1");

      CliIT.Result dry =
          postbus(kafka, topic, "dlt", "replay", "--class", "suppressed", "--dry-run");
      assertThat(dry.out())
          .contains("would replay later", "every recipient still suppressed")
          .contains("1 of them would be dead-lettered as suppressed again");

      refusing.set(false); // the mailbox exists again: the operator takes it off the list
      CliIT.Result removed = postbus(kafka, topic, "suppressions", "remove", "gone@example.net");
      assertThat(removed.exit()).as(removed.err()).isZero();
      assertThat(removed.out()).startsWith("removed gone@example.net");
      assertThat(postbus(kafka, topic, "suppressions", "check", "gone@example.net").exit())
          .isEqualTo(1);
      await().atMost(Duration.ofSeconds(5)).until(() -> worker.suppressions().size() == 0);

      CliIT.Result replay = postbus(kafka, topic, "dlt", "replay", "--class", "suppressed");
      assertThat(replay.out()).contains("replaying later").doesNotContain("still suppressed");
      await().atMost(Duration.ofSeconds(30)).until(() -> relay.received() == 1);
      assertThat(relay.recent(1).get(0).recipients()).containsExactly("gone@example.net");
    }
  }

  @Test
  void importedAddressesAreNeverMailed(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    String topic = SharedKafka.uniqueName("import-jobs");
    int n = 10_000;
    List<String> lines = new ArrayList<>(List.of("# unsubscribed before the migration", ""));
    List<Job> jobs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      if (i % 2 == 0) {
        lines.add("Held-" + i + "@Example.net");
      }
      jobs.add(job("job-" + i, (i % 2 == 0 ? "held-" : "open-") + i + "@example.net"));
    }
    Path file = dir.resolve("unsubscribed.txt");
    Files.write(file, lines);
    try (SmtpCapture relay = SmtpCapture.start(0, n)) {
      // topics first: the worker creates them, then stops
      worker(kafka, relay, topic, 1).close();
      CliIT.Result imported = postbus(kafka, topic, "suppressions", "import", file.toString());
      assertThat(imported.exit()).as(imported.err()).isZero();
      assertThat(imported.out()).contains("imported 5000 addresses");

      try (Worker worker = worker(kafka, relay, topic, 8)) {
        assertThat(worker.suppressions().size()).isEqualTo(n / 2);
        publish(kafka, topic, jobs);
        await()
            .atMost(Duration.ofMinutes(2))
            .until(
                () ->
                    worker.stats().snapshot().delivered() + worker.stats().snapshot().deadLettered()
                        == n);
        assertThat(worker.stats().snapshot().deadLettered()).isEqualTo(n / 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> relay.received() == n / 2);
        Set<String> mailed = new HashSet<>();
        relay.recent(n).forEach(m -> mailed.addAll(m.recipients()));
        assertThat(mailed).hasSize(n / 2).allMatch(a -> a.startsWith("open-"));
      }
      CliIT.Result exported = postbus(kafka, topic, "suppressions", "export");
      assertThat(exported.out().lines().count()).isEqualTo(n / 2);
      assertThat(exported.out()).contains("held-0@example.net\n");
    }
  }

  @Test
  void anEntryScopedToAListIsAddedCheckedListedAndRemovedWithList(EmbeddedKafka kafka)
      throws Exception {
    String topic = SharedKafka.uniqueName("scope-jobs");
    try (SmtpCapture relay = SmtpCapture.start(0)) {
      worker(kafka, relay, topic, 1).close(); // the topics
    }
    String bob = "bob@example.net";
    CliIT.Result add =
        postbus(kafka, topic, "suppressions", "add", "Bob@Example.net", "--list", "news");
    assertThat(add.exit()).as(add.err()).isZero();
    assertThat(add.out()).startsWith("suppressed bob@example.net (list:news)");

    CliIT.Result transactional = postbus(kafka, topic, "suppressions", "check", bob);
    assertThat(transactional.exit()).isEqualTo(1);
    assertThat(transactional.out())
        .contains(bob + " has left list news", bob + " is not suppressed");
    CliIT.Result news = postbus(kafka, topic, "suppressions", "check", bob, "--list", "news");
    assertThat(news.exit()).isZero();
    assertThat(news.out()).contains(bob + " is suppressed for list news since", "(operator)");
    assertThat(postbus(kafka, topic, "suppressions", "check", bob, "--list", "offers").exit())
        .isEqualTo(1);
    assertThat(postbus(kafka, topic, "suppressions", "list").out())
        .containsPattern(bob + " +list:news +operator");
    assertThat(postbus(kafka, topic, "suppressions", "export").out()).doesNotContain(bob);
    assertThat(postbus(kafka, topic, "suppressions", "export", "--json").out())
        .contains("\"scope\":\"list:news\"");

    CliIT.Result bad = postbus(kafka, topic, "suppressions", "add", bob, "--list", "News Letter");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--list must be 1 to 64 characters");
    assertThat(postbus(kafka, topic, "suppressions", "remove", bob).out())
        .startsWith(bob + " had no global entry; nothing to remove");
    CliIT.Result removed = postbus(kafka, topic, "suppressions", "remove", bob, "--list", "news");
    assertThat(removed.out()).startsWith("removed " + bob + " (list:news, suppressed since");
    assertThat(postbus(kafka, topic, "suppressions", "check", bob, "--list", "news").exit())
        .isEqualTo(1);
  }

  @Test
  void badAddressesAreRefusedWithTheLineAndNothingIsWritten(EmbeddedKafka kafka, @TempDir Path dir)
      throws Exception {
    String topic = SharedKafka.uniqueName("bad-jobs");
    CliIT.Result add = launcher(kafka, topic, "suppressions", "add", "not-an-address");
    assertThat(add.exit()).isEqualTo(2);
    assertThat(add.err().strip())
        .isEqualTo(
            "postbus suppressions add: ADDRESS: not a valid email address (local@domain, ASCII, at"
                + " most 254 characters)");

    Path file = dir.resolve("list.txt");
    Files.write(file, List.of("a@example.com", "# comment", "b@example", "c@example.com"));
    CliIT.Result imported = launcher(kafka, topic, "suppressions", "import", file.toString());
    assertThat(imported.exit()).isEqualTo(2);
    assertThat(imported.err()).contains(file + ":3: not a valid email address");
    assertThat(imported.out()).isEmpty();

    CliIT.Result expiry =
        launcher(kafka, topic, "suppressions", "add", "a@example.com", "--expires", "soon");
    assertThat(expiry.exit()).isEqualTo(2);
    assertThat(expiry.err()).contains("--expires must be an ISO-8601 time");
  }

  private static Job job(String id, String to) {
    return Job.text(id, "shop@example.com", to, "s", "t");
  }

  private static void publish(EmbeddedKafka kafka, String topic, List<Job> jobs) {
    try (JobPublisher p =
        JobPublisher.create(PublisherConfig.of(kafka.bootstrapServers(), topic))) {
      List<CompletableFuture<?>> sent = new ArrayList<>();
      jobs.forEach(j -> sent.add(p.publish(j)));
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
    }
  }
}
