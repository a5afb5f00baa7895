package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.feedback.FeedbackServer;
import dev.postbus.feedback.config.FeedbackConfig;
import dev.postbus.job.Job;
import dev.postbus.testkit.PostfixRelay;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.testkit.TopicReader;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.lifecycle.Worker;
import dev.postbus.worker.lifecycle.WorkerState;
import dev.postbus.worker.topics.TopicProvisioner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop with a real Postfix making a real DSN: the worker (VERP return path on) delivers a
 * job through a Postfix of the test's own, which accepts the recipient and finds out only
 * afterwards that the mailbox is gone (its {@code error} transport behind an alias); Postfix's
 * bounce goes to the job's VERP return path, which its transport map routes to the SMTP listener of
 * {@code postbus feedback}. The receiver verifies the token, writes the {@code bounced} event of
 * the job and suppresses the address; the worker, following the suppression list, then does not
 * send a second job to it. Worker and receiver share one key file and one pair of settings.
 * Skipped, with the reason, where Postfix cannot run.
 */
@ExtendWith(SharedKafka.class)
class PostfixVerpBounceIT {

  private static final String RETURN_PATH = "rp.example.com";
  private static final String GONE = "gone-later@example.net";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  @TempDir Path postfixDir;

  @Test
  void postfixsBounceOfASentJobIsTiedToItAndTheAddressIsNotMailedAgain(EmbeddedKafka kafka)
      throws Exception {
    String missing = PostfixRelay.missing();
    assumeTrue(missing == null, () -> "PostfixVerpBounceIT skipped: " + missing);
    String bootstrap = kafka.bootstrapServers();
    String topic = SharedKafka.uniqueName("verp");
    String events = SharedKafka.uniqueName("verp-events");
    Path key = dir.resolve("verp.key");
    Files.writeString(key, "one-key-for-worker-and-receiver-0123456789\n");
    Map<String, String> settings = new HashMap<>();
    settings.put("kafka.bootstrap-servers", bootstrap);
    settings.put("topic", topic);
    settings.put("group", SharedKafka.uniqueName("verp-group"));
    settings.put("events.topic", events);
    settings.put("http.port", "0");
    settings.put("worker.commit-interval", "100ms");
    settings.put("smtp.host", "127.0.0.1");
    settings.put("smtp.tls", "none");
    settings.put("smtp.connections", "1");
    settings.put("feedback.return-path-domain", RETURN_PATH);
    settings.put("feedback.verp-key-file", key.toString());
    createTopics(bootstrap, settings);

    FeedbackConfig.Builder b =
        FeedbackConfig.builder(Map.of("bootstrap.servers", bootstrap), topic)
            .port(0)
            .eventsTopic(events);
    b.smtp()
        .port(0)
        .bounceDomain("bounces.example.com")
        .returnPathDomain(RETURN_PATH)
        .verpKeyFile(key);
    try (FeedbackServer receiver = FeedbackServer.start(b.build());
        PostfixRelay postfix = postfix(receiver.smtpPort())) {
      settings.put("smtp.port", Integer.toString(postfix.port));
      try (Worker worker = Worker.start(WorkerConfig.from(Settings.of(settings)))) {
        await("worker running")
            .atMost(Duration.ofSeconds(60))
            .until(() -> worker.state() == WorkerState.RUNNING);

        publish(bootstrap, topic, job("verp-1"));
        await("the job delivered, then Postfix's bounce tied to it")
            .atMost(Duration.ofSeconds(90))
            .untilAsserted(
                () ->
                    assertThat(types(bootstrap, events, "verp-1"))
                        .as("maillog: %s", postfix.log())
                        .containsExactly("delivered", "bounced"));
        JsonNode bounced =
            events(bootstrap, events, "verp-1").stream()
                .filter(e -> e.path("type").asText().equals("bounced"))
                .findFirst()
                .orElseThrow();
        assertThat(bounced.path("provider").asText()).isEqualTo("dsn");
        assertThat(bounced.path("bounceClass").asText()).isEqualTo("permanent");
        assertThat(bounced.path("suppressed").asBoolean()).isTrue();
        assertThat(postfix.log())
            .as("Postfix saw the VERP envelope sender, not the job's from")
            .contains("from=<bounces+")
            .contains("@" + RETURN_PATH + ">")
            .doesNotContain("from=<shop@example.com>");

        await("the worker follows the suppression the receiver wrote")
            .atMost(Duration.ofSeconds(30))
            .until(() -> worker.suppressions().check(GONE) != null);
        publish(bootstrap, topic, job("verp-2"));
        await("the second job is not sent")
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> assertThat(types(bootstrap, events, "verp-2")).containsExactly("suppressed"));
        assertThat(postfix.log())
            .as("the second job never reached Postfix")
            .contains("message-id=<verp-1@example.com>")
            .doesNotContain("message-id=<verp-2@example.com>");
      }
    }
  }

  private static Job job(String id) {
    return Job.text(id, "shop@example.com", GONE, "Your order", "Thank you.");
  }

  /** The worker's topics, as it would create them (the receiver writes to its suppressions). */
  private static void createTopics(String bootstrap, Map<String, String> settings) {
    Map<String, String> s = new HashMap<>(settings);
    s.put("smtp.port", "25");
    WorkerConfig c = WorkerConfig.from(Settings.of(s));
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      TopicProvisioner.ensure(admin, c.allTopics(), 1, (short) 1, c.topicConfigs());
    }
  }

  /**
   * A Postfix that accepts {@value #GONE} (an alias) and fails it at delivery, as a mailbox found
   * gone after the 250, and sends its bounces for the return-path domain to the receiver.
   */
  private PostfixRelay postfix(int receiverSmtpPort) throws IOException {
    return PostfixRelay.start(
        postfixDir,
        List.of(
            "virtual_alias_maps = inline:{ {" + GONE + " = gone-later@fail.invalid} }",
            "transport_maps = inline:{ {fail.invalid = error:5.1.1 mailbox unknown}, {"
                + RETURN_PATH
                + " = smtp:[127.0.0.1]:"
                + receiverSmtpPort
                + "} }",
            "smtp_tls_security_level = none",
            "bounce_queue_lifetime = 0"),
        List.of("smtp unix - - n - - smtp"));
  }

  private static void publish(String bootstrap, String topic, Job job) {
    try (JobPublisher publisher = JobPublisher.create(PublisherConfig.of(bootstrap, topic))) {
      publisher.publish(job).join();
    }
  }

  private static List<String> types(String bootstrap, String topic, String jobId) {
    return events(bootstrap, topic, jobId).stream().map(e -> e.path("type").asText()).toList();
  }

  private static List<JsonNode> events(String bootstrap, String topic, String jobId) {
    List<ConsumerRecord<byte[], byte[]>> all =
        TopicReader.read(bootstrap, topic, 0, Duration.ofSeconds(5));
    return all.stream()
        .map(PostfixVerpBounceIT::tree)
        .filter(n -> jobId.equals(n.path("jobId").asText()))
        .toList();
  }

  private static JsonNode tree(ConsumerRecord<byte[], byte[]> r) {
    try {
      return JSON.readTree(r.value());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
