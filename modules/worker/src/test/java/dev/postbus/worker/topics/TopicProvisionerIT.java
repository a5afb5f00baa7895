package dev.postbus.worker.topics;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Topics made before the tiers and the dead-letter topic got max.message.bytes = job.max-bytes + 64
 * KiB keep Kafka's 1 MiB: the worker says so at start-up, naming each topic and the value to set.
 */
@ExtendWith(SharedKafka.class)
class TopicProvisionerIT {

  @Test
  void anExistingTierTopicTakingSmallerRecordsThanTheWorkerWritesIsNamedInAWarning(
      EmbeddedKafka kafka) throws Exception {
    String topic = SharedKafka.uniqueName("jobs");
    WorkerConfig c =
        WorkerConfig.from(
            Settings.of(Map.of("topic", topic, "job.max-bytes", Integer.toString(3 << 20))));
    String tier = c.failures().ladder().topics(topic).get(0);
    Logger log = (Logger) LoggerFactory.getLogger(TopicProvisioner.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    log.addAppender(lines);
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(tier, 1, (short) 1)
                      .configs(Map.of("max.message.bytes", Integer.toString(1 << 20)))))
          .all()
          .get();

      TopicProvisioner.ensure(admin, c.allTopics(), 1, (short) 1, c.topicConfigs());
    } finally {
      log.detachAppender(lines);
    }

    String wanted = Integer.toString((3 << 20) + 64 * 1024);
    assertThat(lines.list)
        .filteredOn(e -> e.getLevel() == Level.WARN)
        .extracting(ILoggingEvent::getFormattedMessage)
        .as("one warning, naming the tier, its value and the value to set")
        .singleElement()
        .satisfies(
            m ->
                assertThat(m)
                    .contains(tier)
                    .contains("max.message.bytes=" + (1 << 20))
                    .contains("max.message.bytes to " + wanted));
  }

  /**
   * Managed clusters that cap max.message.bytes (8 MiB, say) refuse CreateTopics asking for more:
   * the topics are created without it, as before the worker asked, and a warning names each topic
   * and the value it wanted.
   */
  @Test
  void aClusterRefusingTheLargerMaxMessageBytesGetsTheTopicsWithoutItAndAWarning(
      EmbeddedKafka kafka) throws Exception {
    String topic = SharedKafka.uniqueName("jobs");
    WorkerConfig c = WorkerConfig.from(Settings.of(Map.of("topic", topic)));
    Logger log = (Logger) LoggerFactory.getLogger(TopicProvisioner.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    log.addAppender(lines);
    List<String> created;
    try (Admin admin =
        new CappingAdmin(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      created = TopicProvisioner.ensure(admin, c.allTopics(), 1, (short) 1, c.topicConfigs());
      org.awaitility.Awaitility.await("the topics listed")
          .atMost(java.time.Duration.ofSeconds(10))
          .until(() -> admin.listTopics().names().get().containsAll(c.allTopics()));
    } finally {
      log.detachAppender(lines);
    }

    assertThat(created)
        .containsAll(c.failures().ladder().topics(topic))
        .contains(c.deadLetterTopic());
    String tier = c.failures().ladder().topics(topic).get(0);
    assertThat(lines.list)
        .filteredOn(e -> e.getLevel() == Level.WARN)
        .extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains(tier)
                    .contains("max.message.bytes=" + c.largestRecordBytes())
                    .contains("policy"));
  }

  /**
   * One topic the worker may not describe (an ACL on the dead-letter topic, say) leaves the others
   * judged: the undersized tier is still named; and the describe asks Kafka for an answer within
   * the check's bound, so closing the admin does not wait out the default minute.
   */
  @Test
  void aTopicThatCannotBeDescribedLeavesTheOthersCheckedWithinTheBound(EmbeddedKafka kafka)
      throws Exception {
    String topic = SharedKafka.uniqueName("jobs");
    WorkerConfig c =
        WorkerConfig.from(
            Settings.of(Map.of("topic", topic, "job.max-bytes", Integer.toString(3 << 20))));
    String tier = c.failures().ladder().topics(topic).get(0);
    Logger log = (Logger) LoggerFactory.getLogger(TopicProvisioner.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    log.addAppender(lines);
    DescribeRefusingAdmin admin =
        new DescribeRefusingAdmin(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            c.deadLetterTopic());
    try (admin) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(tier, 1, (short) 1)
                      .configs(Map.of("max.message.bytes", Integer.toString(1 << 20))),
                  new NewTopic(c.deadLetterTopic(), 1, (short) 1)
                      .configs(Map.of("max.message.bytes", Integer.toString(1 << 20)))))
          .all()
          .get();

      TopicProvisioner.ensure(admin, c.allTopics(), 1, (short) 1, c.topicConfigs());
    } finally {
      log.detachAppender(lines);
    }

    assertThat(lines.list)
        .filteredOn(e -> e.getLevel() == Level.WARN)
        .extracting(ILoggingEvent::getFormattedMessage)
        .as("the undersized tier named though the dead-letter topic could not be described")
        .anySatisfy(m -> assertThat(m).contains(tier).contains("max.message.bytes=" + (1 << 20)));
    assertThat(admin.describeTimeoutMs)
        .as("the describe's own deadline, in ms")
        .isNotNull()
        .isLessThanOrEqualTo(10_000);
  }

  /** Refuses to describe one topic (as an ACL would); notes the describe's deadline. */
  private static final class DescribeRefusingAdmin
      extends org.apache.kafka.clients.admin.ForwardingAdmin {
    private final String refused;
    volatile Integer describeTimeoutMs;

    DescribeRefusingAdmin(Map<String, Object> configs, String refused) {
      super(configs);
      this.refused = refused;
    }

    @Override
    public org.apache.kafka.clients.admin.DescribeConfigsResult describeConfigs(
        java.util.Collection<org.apache.kafka.common.config.ConfigResource> resources,
        org.apache.kafka.clients.admin.DescribeConfigsOptions options) {
      describeTimeoutMs = options.timeoutMs();
      List<org.apache.kafka.common.config.ConfigResource> allowed =
          resources.stream().filter(r -> !r.name().equals(refused)).toList();
      Map<
              org.apache.kafka.common.config.ConfigResource,
              org.apache.kafka.common.KafkaFuture<org.apache.kafka.clients.admin.Config>>
          answers = new java.util.HashMap<>(super.describeConfigs(allowed, options).values());
      for (var r : resources) {
        if (r.name().equals(refused)) {
          var no =
              new org.apache.kafka.common.internals.KafkaFutureImpl<
                  org.apache.kafka.clients.admin.Config>();
          no.completeExceptionally(
              new org.apache.kafka.common.errors.TopicAuthorizationException("not allowed"));
          answers.put(r, no);
        }
      }
      return new DescribeRefused(answers);
    }
  }

  /** A describe result built from futures (its constructor is Kafka's, protected). */
  private static final class DescribeRefused
      extends org.apache.kafka.clients.admin.DescribeConfigsResult {
    DescribeRefused(
        Map<
                org.apache.kafka.common.config.ConfigResource,
                org.apache.kafka.common.KafkaFuture<org.apache.kafka.clients.admin.Config>>
            futures) {
      super(futures);
    }
  }

  /** A cluster whose create-topic policy refuses any max.message.bytes. */
  private static final class CappingAdmin extends org.apache.kafka.clients.admin.ForwardingAdmin {

    CappingAdmin(Map<String, Object> configs) {
      super(configs);
    }

    @Override
    public org.apache.kafka.clients.admin.CreateTopicsResult createTopics(
        java.util.Collection<NewTopic> topics,
        org.apache.kafka.clients.admin.CreateTopicsOptions options) {
      Map<
              String,
              org.apache.kafka.common.KafkaFuture<
                  org.apache.kafka.clients.admin.CreateTopicsResult.TopicMetadataAndConfig>>
          answers = new java.util.HashMap<>();
      List<NewTopic> allowed = new java.util.ArrayList<>();
      for (NewTopic t : topics) {
        if (t.configs() != null && t.configs().containsKey("max.message.bytes")) {
          var refused =
              new org.apache.kafka.common.internals.KafkaFutureImpl<
                  org.apache.kafka.clients.admin.CreateTopicsResult.TopicMetadataAndConfig>();
          refused.completeExceptionally(
              new org.apache.kafka.common.errors.PolicyViolationException(
                  "max.message.bytes above 8388608 is not allowed"));
          answers.put(t.name(), refused);
        } else {
          allowed.add(t);
        }
      }
      if (!allowed.isEmpty()) {
        super.createTopics(allowed, options)
            .values()
            .forEach(
                (name, done) ->
                    answers.put(
                        name,
                        done.thenApply(
                            v ->
                                (org.apache.kafka.clients.admin.CreateTopicsResult
                                        .TopicMetadataAndConfig)
                                    null)));
      }
      return new org.apache.kafka.clients.admin.CreateTopicsResult(answers) {};
    }
  }
}
