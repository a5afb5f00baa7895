package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.testkit.TopicReader;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.lifecycle.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Dead letters listed, shown, and replayed selectively with the postbus CLI; a repeated replay
 * publishes nothing.
 */
@ExtendWith(SharedKafka.class)
class ReplayIT {

  @Test
  void replayByEnhancedCodeRepublishesExactlyThoseJobsOnce(EmbeddedKafka kafka) throws Exception {
    String topic = SharedKafka.uniqueName("replay-jobs");
    AtomicBoolean refusing = new AtomicBoolean(true);
    try (SmtpCapture relay = SmtpCapture.start(0)) {
      relay.faults(
          new Faults() {
            @Override
            public Reply recipient(String address) {
              return refusing.get() && address.startsWith("unknown-")
                  ? new Reply(550, "5.1.1 User unknown")
                  : null;
            }

            @Override
            public Reply data(String messageId, List<String> recipients, int offered) {
              return messageId.startsWith("<policy-")
                  ? new Reply(554, "5.7.1 Message rejected")
                  : null;
            }
          });
      WorkerConfig config =
          WorkerConfig.from(
              Settings.of(
                  Map.of(
                      "kafka.bootstrap-servers",
                      kafka.bootstrapServers(),
                      "topic",
                      topic,
                      "group",
                      SharedKafka.uniqueName("g"),
                      "events.topic",
                      SharedKafka.uniqueName("events"),
                      "smtp.host",
                      "127.0.0.1",
                      "smtp.port",
                      Integer.toString(relay.port()),
                      "smtp.tls",
                      "none",
                      "smtp.connections",
                      "2",
                      "http.port",
                      "0",
                      // about replay alone: the refused addresses stay off the suppression list
                      // (SuppressionsIT replays with the list)
                      "suppression.codes",
                      "none")));
      try (Worker worker = Worker.start(config)) {
        publish(kafka, topic, "unknown", 5);
        publish(kafka, topic, "policy", 2);
        publish(kafka, topic, "ok", 10);
        await()
            .atMost(Duration.ofMinutes(1))
            .until(
                () ->
                    TopicReader.read(
                                kafka.bootstrapServers(), topic + ".dlt", 7, Duration.ofSeconds(2))
                            .size()
                        >= 7);
        Set<String> unknown =
            Set.of("unknown-0", "unknown-1", "unknown-2", "unknown-3", "unknown-4");

        CliIT.Result dry =
            PostbusInProcess.postbus(
                "dlt",
                "replay",
                "-b",
                kafka.bootstrapServers(),
                "-t",
                topic,
                "--code",
                "5.1.1",
                "--dry-run");
        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(ids(dry.out(), "would replay ")).isEqualTo(unknown);
        assertThat(dry.out()).contains("dry run: 5 of 7 dead letters would be replayed");

        CliIT.Result list =
            PostbusInProcess.postbus(
                "dlt", "list", "-b", kafka.bootstrapServers(), "-t", topic, "--json");
        JsonNode rows = new ObjectMapper().readTree(list.out());
        assertThat(rows).hasSize(7);
        assertThat(rows.findValuesAsText("class")).containsOnly("permanent");
        assertThat(rows.findValuesAsText("enhancedCode")).containsOnly("5.1.1", "5.7.1");
        assertThat(
                PostbusInProcess.postbus("dlt", "list", "-b", kafka.bootstrapServers(), "-t", topic)
                    .out())
            .contains("TIME")
            .contains("unknown-3")
            .contains("550 5.1.1")
            .contains("example.net");
        assertThat(
                PostbusInProcess.postbus(
                        "dlt", "show", "unknown-3", "-b", kafka.bootstrapServers(), "-t", topic)
                    .out())
            .contains("postbus.dlt.class: permanent")
            .contains("postbus.dlt.enhanced-code: 5.1.1")
            .contains("\"id\":\"unknown-3\"");

        refusing.set(false);
        // through the launcher, in a JVM of its own, as a user runs it; the rest in this JVM
        CliIT.Result replay =
            CliIT.postbus(
                Map.of(),
                null,
                "dlt",
                "replay",
                "-b",
                kafka.bootstrapServers(),
                "-t",
                topic,
                "--code",
                "5.1.1");
        assertThat(replay.exit()).as(replay.err()).isZero();
        assertThat(ids(replay.out(), "replaying ")).isEqualTo(unknown);
        await()
            .atMost(Duration.ofMinutes(1))
            .until(
                () ->
                    relay.countsByMessageId().keySet().stream()
                            .filter(m -> m.startsWith("<unknown-"))
                            .count()
                        == 5);

        CliIT.Result again =
            PostbusInProcess.postbus(
                "dlt", "replay", "-b", kafka.bootstrapServers(), "-t", topic, "--code", "5.1.1");
        assertThat(again.out()).contains("0 dead letters replayed");
        // the replays have ended and the worker writes nothing to the jobs topic: read to its end
        assertThat(
                TopicReader.read(kafka.bootstrapServers(), topic, 17 + 5, Duration.ofSeconds(30)))
            .hasSize(17 + 5);
        assertThat(relay.countsByMessageId().values()).allMatch(n -> n == 1);
      }
    }
  }

  private static Set<String> ids(String out, String prefix) {
    return out.lines()
        .filter(l -> l.startsWith(prefix))
        .map(l -> l.substring(prefix.length()).split(" ")[0])
        .collect(Collectors.toSet());
  }

  private static void publish(EmbeddedKafka kafka, String topic, String prefix, int n) {
    try (JobPublisher p =
        JobPublisher.create(PublisherConfig.of(kafka.bootstrapServers(), topic))) {
      CompletableFuture<?>[] sent = new CompletableFuture<?>[n];
      for (int i = 0; i < n; i++) {
        sent[i] =
            p.publish(
                Job.text(
                    prefix + "-" + i,
                    "shop@example.com",
                    prefix + "-" + i + "@example.net",
                    "s",
                    "t"));
      }
      CompletableFuture.allOf(sent).join();
    }
  }
}
