package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.job.Job;
import dev.postbus.job.MailAddress;
import dev.postbus.testkit.HttpProbe;
import dev.postbus.testkit.PostfixRelay;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.lifecycle.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole worker against a real Postfix over STARTTLS, in both pipelined modes: BDAT (Postfix
 * offers CHUNKING) and DATA with the next job's envelope riding with the end of each message. Every
 * job is delivered exactly once (Postfix's Maildir, counted by Message-ID), a recipient Postfix
 * refuses in the middle of a group is dead-lettered without holding up the others, and Postfix's
 * log names no protocol mistake.
 */
@ExtendWith(SharedKafka.class)
class PostfixRelayIT {

  private static final int JOBS = 600;
  private static final Pattern MESSAGE_ID = Pattern.compile("(?im)^Message-ID: <([^>]+)>");

  @TempDir static Path dir;
  private static PostfixRelay postfix;

  @BeforeAll
  static void start() throws Exception {
    String missing = PostfixRelay.missing();
    assumeTrue(missing == null, () -> "PostfixRelayIT skipped: " + missing);
    postfix =
        PostfixRelay.start(
            dir,
            List.of("smtpd_forbid_unauth_pipelining = yes", "smtpd_forbid_bare_newline = yes"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (postfix != null) {
      String log = postfix.log();
      postfix.close();
      assertThat(log).doesNotContain("improper command pipelining").doesNotContain("bare <LF>");
      // Four connections per run: a job sent on another connection than the one its envelope went
      // ahead on would
      // have cost a reconnection each time.
      long sessions =
          log.lines()
              .filter(l -> l.contains("postfix/smtpd") && l.contains(" connect from "))
              .count();
      System.out.println("PostfixRelayIT: Postfix saw " + sessions + " SMTP sessions");
      assertThat(sessions).isLessThanOrEqualTo(2 * 4 + 4);
    }
  }

  @ParameterizedTest(name = "chunking {0}: {1}")
  @CsvSource({"auto, pipelined BDAT", "off, pipelined DATA"})
  void everyJobReachesPostfixOnceInEitherPipelinedMode(
      String chunking, String mode, EmbeddedKafka kafka) throws Exception {
    try (Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      Map<String, String> tls =
          new HashMap<>(
              Map.of(
                  "smtp.host",
                  "localhost",
                  "smtp.tls",
                  "starttls-required",
                  "smtp.trust-store",
                  postfix.trustStore.toString(),
                  "smtp.trust-store-password",
                  "changeit",
                  "smtp.chunking",
                  chunking));
      Worker w = f.start(f.config(postfix.port, 4, "postfix-" + chunking, tls));
      String prefix = "pf-" + chunking;
      List<Job> jobs = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        List<MailAddress> to =
            i % 100 == 7
                ? List.of(MailAddress.of("bob@example.net"), MailAddress.of("unknown@example.net"))
                : List.of(MailAddress.of("rcpt" + (i % 20) + "@example.net"));
        jobs.add(
            new Job(
                Job.SCHEMA,
                prefix + "-" + i,
                MailAddress.of("shop@example.com"),
                null,
                to,
                null,
                null,
                "Grüße " + i,
                "Hello " + i + "\n.a line starting with a dot\n",
                null,
                null,
                null,
                null,
                null,
                null));
      }
      f.publish(jobs);
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> w.stats().snapshot().delivered() >= JOBS);

      Map<String, Integer> copies = new HashMap<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                copies.clear();
                for (byte[] file : postfix.delivered()) {
                  Matcher m = MESSAGE_ID.matcher(new String(file, StandardCharsets.UTF_8));
                  if (m.find() && m.group(1).startsWith(prefix + "-")) {
                    copies.merge(m.group(1), 1, Integer::sum);
                  }
                }
                return copies.size() >= JOBS;
              });
      assertThat(copies).hasSize(JOBS);
      assertThat(copies.values())
          .as("one file per job and recipient accepted: no job twice")
          .allMatch(n -> n == 1);
      // The six jobs with an unknown second recipient: delivered to bob, the refusal dead-lettered.
      assertThat(f.read(f.topic + ".dlt", 6, Duration.ofSeconds(30))).hasSize(6);
      assertThat(HttpProbe.get(w.httpPort(), "/health/ready").body())
          .contains("\"sending\":\"" + mode + "\"");
    }
  }
}
