package dev.postbus.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.smtp.TlsMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerConfigTest {

  private static WorkerConfig fromEnv(Map<String, String> env) {
    return WorkerConfig.from(Settings.load(null, env));
  }

  @Test
  void kafkaLostAfterMustBeShorterThanTheConsumersSessionTimeout() {
    assertThatThrownBy(
            () -> WorkerConfig.from(Settings.of(Map.of("worker.kafka-lost-after", "50s"))))
        .hasMessageContaining("worker.kafka-lost-after")
        .hasMessageContaining("session.timeout.ms");
    assertThatThrownBy(
            () ->
                WorkerConfig.from(Settings.of(Map.of("kafka.client.session.timeout.ms", "10000"))))
        .hasMessageContaining("worker.kafka-lost-after");
  }

  /**
   * A job of job.max-bytes (10 MiB by default) that fails goes to a tier: created at the broker's
   * default (1 MiB), the tier would refuse it. Tiers and the dead-letter topic are created taking
   * any record the worker's producer may send (job.max-bytes, at least 1 MiB, plus 64 KiB of
   * headers).
   */
  @Test
  void tiersAndTheDeadLetterTopicAreCreatedTakingTheLargestJobTheWorkerAccepts() {
    WorkerConfig c = fromEnv(Map.of("POSTBUS_JOB_MAX_BYTES", "2097152"));
    String expected = Integer.toString(2097152 + 65536);
    for (String tier : c.failures().ladder().topics(c.topic())) {
      assertThat(c.topicConfigs().get(tier)).containsEntry("max.message.bytes", expected);
    }
    assertThat(c.topicConfigs().get(c.deadLetterTopic()))
        .containsEntry("max.message.bytes", expected);
    assertThat(c.topicConfigs()).doesNotContainKeys(c.topic(), c.bulkTopic());
    assertThat(c.largestRecordBytes()).isEqualTo(2097152 + 65536);
    assertThat(fromEnv(Map.of("POSTBUS_JOB_MAX_BYTES", "2048")).largestRecordBytes())
        .as("never below Kafka's default")
        .isEqualTo(1048576 + 65536);
  }

  /**
   * The producer refuses, before sending, a record over its max.request.size or buffer.memory: an
   * operator's value below the largest record the worker writes would dead-letter every large job
   * on its first retry. Start-up stops naming both keys.
   */
  @Test
  void aProducerLimitBelowTheLargestRecordTheWorkerWritesIsWarnedOfNotRefused() {
    // docs/operations.md tells a small heap to lower buffer.memory (8 MiB); with the default
    // job.max-bytes that worked before the check came, so it starts, with a warning naming both
    ch.qos.logback.classic.Logger checks =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(WorkerConfigChecks.class);
    var lines =
        new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
    lines.start();
    checks.addAppender(lines);
    try {
      for (String key : java.util.List.of("max.request.size", "buffer.memory")) {
        WorkerConfig.from(Settings.of(Map.of("kafka.client." + key, "8388608")));
      }
    } finally {
      checks.detachAppender(lines);
    }
    assertThat(lines.list)
        .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
        .hasSize(2)
        .allSatisfy(
            m ->
                assertThat(m)
                    .contains("job.max-bytes")
                    .contains("(8388608)")
                    .contains(Integer.toString(10 * 1024 * 1024 + 65536)));
    assertThat(
            WorkerConfig.from(
                    Settings.of(
                        Map.of(
                            "job.max-bytes",
                            "33554432",
                            "kafka.client.max.request.size",
                            "40000000",
                            "kafka.client.buffer.memory",
                            "40000000")))
                .largestRecordBytes())
        .isEqualTo(32 * 1024 * 1024 + 65536);
  }

  @Test
  void defaultsNeedNoConfigurationAtAll() {
    WorkerConfig c = fromEnv(Map.of());
    assertThat(c.topic()).isEqualTo("postbus.jobs");
    assertThat(c.deadLetterTopic()).isEqualTo("postbus.jobs.dlt");
    assertThat(c.group()).isEqualTo("postbus-workers");
    assertThat(c.bootstrapServers()).isEqualTo("localhost:9092");
    assertThat(c.relays().get(0).smtp().tls()).isEqualTo(TlsMode.STARTTLS);
    assertThat(c.relays().get(0).smtp().verifyCertificates()).isTrue();
    assertThat(c.relays().get(0).connections()).isEqualTo(4);
    assertThat(c.queueCapacity()).isEqualTo(64);
  }

  @Test
  void environmentVariablesOverrideTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("postbus.properties");
    Files.writeString(file, "smtp.host=relay.internal\nsmtp.connections=8\nsmtp.idle-timeout=5m\n");
    WorkerConfig c =
        WorkerConfig.from(
            Settings.load(
                file,
                Map.of(
                    "POSTBUS_KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092",
                    "POSTBUS_TOPIC", "mail.jobs",
                    "POSTBUS_GROUP", "mailers",
                    "POSTBUS_SMTP_PORT", "587",
                    "POSTBUS_SMTP_CONNECTIONS", "16",
                    "POSTBUS_SMTP_TLS", "starttls-required",
                    "POSTBUS_SMTP_USERNAME", "apikey",
                    "POSTBUS_SMTP_PASSWORD", "s3cret")));
    assertThat(c.relays().get(0).smtp().host()).isEqualTo("relay.internal");
    assertThat(c.relays().get(0).smtp().idleTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.relays().get(0).connections()).isEqualTo(16);
    assertThat(c.relays().get(0).smtp().port()).isEqualTo(587);
    assertThat(c.relays().get(0).smtp().tls()).isEqualTo(TlsMode.STARTTLS_REQUIRED);
    assertThat(c.relays().get(0).smtp().password().reveal()).isEqualTo("s3cret");
    assertThat(c.bootstrapServers()).isEqualTo("k1:9092,k2:9092");
    assertThat(c.topic()).isEqualTo("mail.jobs");
    assertThat(c.group()).isEqualTo("mailers");
    assertThat(c.toString()).doesNotContain("s3cret", "apikey");
  }

  @Test
  void everyKeyHasTheMatchingEnvironmentVariable() {
    assertThat(SmtpKeys.TLS.env()).isEqualTo("POSTBUS_SMTP_TLS");
    assertThat(KafkaKeys.BOOTSTRAP_SERVERS.env()).isEqualTo("POSTBUS_KAFKA_BOOTSTRAP_SERVERS");
    assertThat(SmtpKeys.MAX_MESSAGES.env()).isEqualTo("POSTBUS_SMTP_MAX_MESSAGES_PER_CONNECTION");
    assertThat(Keys.ALL).extracting(ConfigKey::name).doesNotHaveDuplicates();
  }

  @Test
  void badChoiceNamesKeyAllowedValuesAndWhatWasGiven() {
    assertThatThrownBy(() -> fromEnv(Map.of("POSTBUS_SMTP_TLS", "ssl")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "smtp.tls (POSTBUS_SMTP_TLS): expected one of none, starttls, starttls-required, implicit; "
                + "got 'ssl' from POSTBUS_SMTP_TLS");
  }

  @Test
  void outOfRangeNumberNamesTheRange() {
    assertThatThrownBy(() -> fromEnv(Map.of("POSTBUS_SMTP_CONNECTIONS", "0")))
        .hasMessage(
            "smtp.connections (POSTBUS_SMTP_CONNECTIONS): expected an integer from 1 to 1024; got '0' "
                + "from POSTBUS_SMTP_CONNECTIONS");
    assertThatThrownBy(() -> fromEnv(Map.of("POSTBUS_SMTP_PORT", "smtp")))
        .hasMessageStartingWith(
            "smtp.port (POSTBUS_SMTP_PORT): expected an integer from 1 to 65535; got 'smtp'");
  }

  @Test
  void aDrainTimeoutBeyondTheConsumersPollIntervalStopsStartUp() {
    assertThatThrownBy(() -> WorkerConfig.from(Settings.of(Map.of("worker.drain-timeout", "10m"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "worker.drain-timeout (10m) plus 10s to commit must be shorter than the consumer's"
                + " max.poll.interval.ms (5m)");
    assertThat(
            WorkerConfig.from(
                    Settings.of(
                        Map.of(
                            "worker.drain-timeout",
                            "10m",
                            "kafka.client.max.poll.interval.ms",
                            "900000")))
                .drainTimeout())
        .isEqualTo(java.time.Duration.ofMinutes(10));
  }

  @Test
  void theConsumersPollIntervalIsKafkasDefaultUnlessSet() {
    assertThat(WorkerConfig.from(Settings.of(Map.of())).maxPollInterval())
        .isEqualTo(java.time.Duration.ofMillis(300_000));
    assertThat(
            WorkerConfig.from(Settings.of(Map.of("kafka.client.max.poll.interval.ms", " 900000 ")))
                .maxPollInterval())
        .isEqualTo(java.time.Duration.ofMinutes(15));
  }

  @Test
  void badDurationNamesTheForm(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("w.properties");
    Files.writeString(file, "smtp.idle-timeout=forever\n");
    assertThatThrownBy(() -> WorkerConfig.from(Settings.load(file, Map.of())))
        .hasMessageStartingWith(
            "smtp.idle-timeout (POSTBUS_SMTP_IDLE_TIMEOUT): expected a duration from 100ms to 1d")
        .hasMessageEndingWith("got 'forever' from w.properties");
  }

  @Test
  void typosAreRefusedNotIgnored(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("w.properties");
    Files.writeString(file, "smtp.hots=relay\n");
    assertThatThrownBy(() -> WorkerConfig.from(Settings.load(file, Map.of())))
        .hasMessage(
            "unknown configuration key 'smtp.hots' in w.properties (see docs/configuration.md)");
    assertThatThrownBy(() -> fromEnv(Map.of("POSTBUS_SMTP_PASWORD", "x")))
        .hasMessage(
            "unknown environment variable POSTBUS_SMTP_PASWORD: not a Postbus setting (see docs/configuration.md)");
  }

  @Test
  void secretsAreNotEchoedInErrors() {
    assertThatThrownBy(() -> fromEnv(Map.of("POSTBUS_SMTP_PASSWORD", "hunter2")))
        .hasMessage("smtp.username and smtp.password must be set together");
  }

  @Test
  void passwordComesFromAFile(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("password");
    Files.writeString(secret, "from-file\n");
    WorkerConfig c =
        fromEnv(
            Map.of("POSTBUS_SMTP_USERNAME", "u", "POSTBUS_SMTP_PASSWORD_FILE", secret.toString()));
    assertThat(c.relays().get(0).smtp().password().reveal()).isEqualTo("from-file");
    assertThatThrownBy(
            () ->
                fromEnv(
                    Map.of(
                        "POSTBUS_SMTP_USERNAME",
                        "u",
                        "POSTBUS_SMTP_PASSWORD",
                        "x",
                        "POSTBUS_SMTP_PASSWORD_FILE",
                        secret.toString())))
        .hasMessage(
            "smtp.password (POSTBUS_SMTP_PASSWORD) and smtp.password-file"
                + " (POSTBUS_SMTP_PASSWORD_FILE) are both set; set one");
  }

  @Test
  void aSmallerJobLimitLowersTheAttachmentLimitUnlessThatIsSetToo() {
    assertThat(fromEnv(Map.of("POSTBUS_JOB_MAX_BYTES", "524288")).limits().maxAttachmentBytes())
        .isEqualTo(524288);
    assertThat(fromEnv(Map.of()).limits().maxAttachmentBytes()).isEqualTo(7 * 1024 * 1024);
    assertThat(
            fromEnv(
                    Map.of(
                        "POSTBUS_JOB_MAX_BYTES",
                        "524288",
                        "POSTBUS_JOB_MAX_ATTACHMENT_BYTES",
                        "1024"))
                .limits()
                .maxAttachmentBytes())
        .isEqualTo(1024);
    assertThatThrownBy(
            () ->
                fromEnv(
                    Map.of(
                        "POSTBUS_JOB_MAX_BYTES",
                        "524288",
                        "POSTBUS_JOB_MAX_ATTACHMENT_BYTES",
                        "600000")))
        .hasMessageContaining(
            "job.max-attachment-bytes must be between 1 and job.max-bytes (524288)");
  }

  @Test
  void trustStoreAndAuthMechanismAreReadAndTheTokenFileFollowsChanges(@TempDir Path dir)
      throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "ya29.first\n");
    WorkerConfig c =
        fromEnv(
            Map.of(
                "POSTBUS_SMTP_USERNAME",
                "sender@example.com",
                "POSTBUS_SMTP_PASSWORD_FILE",
                token.toString(),
                "POSTBUS_SMTP_AUTH_MECHANISM",
                "xoauth2"));
    assertThat(c.relays().get(0).smtp().authMechanism())
        .isEqualTo(dev.postbus.smtp.AuthMechanism.XOAUTH2);
    Files.writeString(token, "ya29.second\n");
    assertThat(c.relays().get(0).smtp().password().reveal()).isEqualTo("ya29.second");
    assertThat(c.toString()).doesNotContain("ya29").doesNotContain("sender@example.com");
    assertThatThrownBy(
            () -> fromEnv(Map.of("POSTBUS_SMTP_TRUST_STORE", dir.resolve("absent.p12").toString())))
        .hasMessageStartingWith("smtp.trust-store: cannot load");
  }

  @Test
  void theFeedbackGuardIsOffUnlessAskedForAndItsWindowIsCapped() {
    ReputationSettings defaults = fromEnv(Map.of()).reputation();
    assertThat(defaults.guardMaxBounceRate()).as("the ring guard stays on").isPositive();
    assertThat(defaults.feedbackGuardOn()).as("no day of hashes by default").isFalse();
    assertThat(defaults.guardFeedbackMaxRecipients()).isEqualTo(1_000_000);

    ReputationSettings on =
        fromEnv(
                Map.of(
                    "POSTBUS_GUARD_FEEDBACK", "true",
                    "POSTBUS_GUARD_FEEDBACK_MAX_RECIPIENTS", "50000"))
            .reputation();
    assertThat(on.feedbackGuardOn()).isTrue();
    assertThat(on.guardFeedbackMaxRecipients()).isEqualTo(50_000);
  }

  @Test
  void domainCapsAreReadAndABadOneNamesTheKey() {
    assertThat(
            fromEnv(Map.of("POSTBUS_SMTP_DOMAIN_CONCURRENCY", "Gmail.com=5, yahoo.com=3"))
                .domainConcurrency())
        .containsExactlyInAnyOrderEntriesOf(Map.of("gmail.com", 5, "yahoo.com", 3));
    assertThatThrownBy(() -> fromEnv(Map.of("POSTBUS_SMTP_DOMAIN_CONCURRENCY", "gmail.com=0")))
        .hasMessageStartingWith(
            "smtp.domain-concurrency (POSTBUS_SMTP_DOMAIN_CONCURRENCY): expected comma-separated domain=count pairs");
  }

  @Test
  void missingFileSaysSo(@TempDir Path dir) {
    assertThatThrownBy(() -> Settings.load(dir.resolve("nope.properties"), Map.of()))
        .hasMessageContaining("nope.properties does not exist");
  }

  @Test
  void kafkaClientSettingsPassThroughWithTheirPrefix(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("w.properties");
    Files.writeString(file, "kafka.client.security.protocol=SASL_SSL\n");
    WorkerConfig c =
        WorkerConfig.from(
            Settings.load(file, Map.of("POSTBUS_KAFKA_CLIENT_SASL_MECHANISM", "PLAIN")));
    assertThat(c.kafkaClient())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "PLAIN");
  }

  @Test
  void conflictingSettingsAreRefused() {
    assertThatThrownBy(
            () ->
                fromEnv(
                    Map.of(
                        "POSTBUS_SMTP_CONNECTIONS", "100", "POSTBUS_WORKER_QUEUE_CAPACITY", "10")))
        .hasMessage(
            "worker.queue-capacity (10) must be at least the connections of all relays (100) so that every lane can have work");
    assertThatThrownBy(
            () ->
                fromEnv(
                    Map.of(
                        "POSTBUS_SMTP_RECONNECT_BACKOFF",
                        "10s",
                        "POSTBUS_SMTP_RECONNECT_BACKOFF_MAX",
                        "1s")))
        .hasMessageStartingWith(
            "smtp.reconnect-backoff-max (1s) must not be shorter than smtp.reconnect-backoff (10s)");
  }

  @Test
  void credentialsOverPlainTextAreRefusedAtStartUpUnlessAllowedOutLoud() {
    Map<String, String> clear =
        Map.of(
            "POSTBUS_SMTP_TLS",
            "none",
            "POSTBUS_SMTP_USERNAME",
            "u",
            "POSTBUS_SMTP_PASSWORD",
            "pw");
    assertThatThrownBy(() -> fromEnv(clear))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("smtp.tls=none")
        .hasMessageContaining("smtp.auth-over-plaintext=allow")
        .hasMessageNotContaining("pw");
    java.util.Map<String, String> allowed = new java.util.HashMap<>(clear);
    allowed.put("POSTBUS_SMTP_AUTH_OVER_PLAINTEXT", "allow");
    assertThat(fromEnv(allowed).relays().get(0).smtp().authOverPlaintext()).isTrue();
  }

  @Test
  void theDataDoneTimeoutIsReadAndDefaultsToTenMinutes() {
    assertThat(fromEnv(Map.of()).relays().get(0).smtp().dataDoneTimeout())
        .isEqualTo(Duration.ofMinutes(10));
    assertThat(
            fromEnv(Map.of("POSTBUS_SMTP_DATA_DONE_TIMEOUT", "15m"))
                .relays()
                .get(0)
                .smtp()
                .dataDoneTimeout())
        .isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void durationsReadInEveryForm() {
    assertThat(ValueType.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(ValueType.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(ValueType.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(ValueType.parseDuration("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(ValueType.parseDuration("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
    assertThat(ValueType.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(ValueType.format(Duration.ofHours(24))).isEqualTo("1d");
  }

  @Test
  void theLedgersFormatIsBinaryUnlessJsonIsAskedForARollingUpgradeOrRollback() {
    assertThat(fromEnv(Map.of()).ledgerFormat()).isEqualTo(LedgerFormat.BINARY);
    assertThat(fromEnv(Map.of("POSTBUS_LEDGER_FORMAT", "json")).ledgerFormat())
        .isEqualTo(LedgerFormat.JSON);
    assertThatThrownBy(() -> fromEnv(Map.of("POSTBUS_LEDGER_FORMAT", "xml")))
        .hasMessageContaining("ledger.format");
  }

  @Test
  void theLedgersWindowMustOutlastASendLeftRunningPastTheDrain() {
    // smtp.data-done-timeout 10m by default: a send may end that long after its partition moved
    assertThatThrownBy(() -> fromEnv(Map.of("POSTBUS_LEDGER_WINDOW", "5m")))
        .hasMessageContaining("ledger.window")
        .hasMessageContaining("smtp.data-done-timeout")
        .hasMessageContaining("worker.drain-timeout");
    assertThat(
            fromEnv(Map.of("POSTBUS_LEDGER_WINDOW", "5m", "POSTBUS_SMTP_DATA_DONE_TIMEOUT", "2m"))
                .ledgerWindow())
        .isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void theDedupeWindowIsAnHourByDefaultNoLongerThanTheLedgersWindowAndZeroTurnsItOff() {
    assertThat(fromEnv(Map.of()).dedupeWindow()).isEqualTo(Duration.ofHours(1));
    assertThat(fromEnv(Map.of()).dedupeOn()).isTrue();
    assertThat(fromEnv(Map.of("POSTBUS_LEDGER_WINDOW", "30m")).dedupeWindow())
        .as("unset: the default, cut to what the ledger keeps")
        .isEqualTo(Duration.ofMinutes(30));
    assertThatThrownBy(
            () -> fromEnv(Map.of("POSTBUS_LEDGER_WINDOW", "1h", "POSTBUS_DEDUPE_WINDOW", "2h")))
        .hasMessageContaining("dedupe.window")
        .hasMessageContaining("ledger.window");
    assertThat(fromEnv(Map.of("POSTBUS_DEDUPE_WINDOW", "0")).dedupeOn()).isFalse();
    assertThat(fromEnv(Map.of("POSTBUS_LEDGER_ENABLED", "false")).dedupeOn())
        .as("it reads the ledger")
        .isFalse();
  }

  @Test
  void leftUnsetTheDedupeWindowIsItsDefaultCutToTheLedgersWindowSaidOnceAndTheBuilderAgrees() {
    ch.qos.logback.classic.Logger log =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(WorkerConfigBuilder.class);
    var lines =
        new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
    lines.start();
    log.addAppender(lines);
    try {
      WorkerConfig cut = fromEnv(Map.of("POSTBUS_LEDGER_WINDOW", "30m"));
      cut.toBuilder().build(); // a copy: its window is set
      assertThat(lines.list)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.INFO);
                assertThat(e.getFormattedMessage()).contains("dedupe.window", "30m", "1h");
              });

      WorkerConfig built =
          cut.toBuilder().ledgerWindow(Duration.ofHours(3)).dedupeWindow(null).build();
      assertThat(built.dedupeWindow())
          .as("the builder's unset: the documented 1h")
          .isEqualTo(Duration.ofHours(1));
    } finally {
      log.detachAppender(lines);
    }
  }
}
