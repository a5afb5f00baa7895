package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.lifecycle.Worker;
import dev.postbus.worker.lifecycle.WorkerState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Every log line of a full run, failures included, is free of recipient addresses, bodies and
 * credentials.
 */
@ExtendWith(SharedKafka.class)
class LogHygieneIT {

  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  private static final List<String> SECRETS =
      List.of(
          "person-",
          "gone-",
          "body-secret",
          "Subject-secret",
          "wr0ng-pa55",
          "r1ght-pa55",
          "recipients.example");

  @Test
  void logsOfAFullRunNeverShowAddressesBodiesOrCredentials(EmbeddedKafka kafka) throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger postbus = (Logger) LoggerFactory.getLogger("dev.postbus");
    Level before = postbus.getLevel();
    postbus.setLevel(Level.DEBUG);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    greenMail.getUserManager().setAuthRequired(true);
    try (Fixtures f = new Fixtures(kafka.bootstrapServers());
        SmtpCapture refusing = SmtpCapture.start(0)) {
      greenMail.setUser("sender@example.com", "sender", "r1ght-pa55");
      f.publish(jobs("a", 20));
      Worker wrong =
          f.start(
              f.config(
                  greenMail.getSmtp().getPort(),
                  2,
                  "hygiene-1",
                  Map.of(
                      "smtp.username",
                      "sender",
                      "smtp.password",
                      "wr0ng-pa55",
                      "smtp.auth-over-plaintext",
                      "allow", // GreenMail here has no TLS
                      "smtp.reconnect-backoff",
                      "200ms",
                      "smtp.reconnect-backoff-max",
                      "500ms")));
      await().atMost(Duration.ofSeconds(20)).until(() -> wrong.state() == WorkerState.PAUSED);
      wrong.close();
      Worker right =
          f.start(
              f.config(
                  greenMail.getSmtp().getPort(),
                  2,
                  "hygiene-2",
                  Map.of(
                      "smtp.username",
                      "sender",
                      "smtp.password",
                      "r1ght-pa55",
                      "smtp.auth-over-plaintext",
                      "allow")));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> right.stats().snapshot().delivered() >= 20);
      right.close();

      refusing.faults(
          new Faults() {
            @Override
            public Reply recipient(String address) {
              return address.startsWith("gone-")
                  ? new Reply(550, "5.1.1 <" + address + "> User unknown")
                  : null;
            }
          });
      List<Job> failing = new ArrayList<>(jobs("b", 5));
      for (int i = 0; i < 5; i++) {
        failing.add(
            Job.text(
                "refused-job-" + i,
                "sender@example.com",
                "gone-" + i + "@recipients.example",
                "Subject-secret",
                "body-secret " + i));
      }
      f.publish(failing);
      try (var producer =
          new KafkaProducer<byte[], byte[]>(
              Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, f.bootstrap),
              new ByteArraySerializer(),
              new ByteArraySerializer())) {
        producer
            .send(
                new ProducerRecord<>(
                    f.topic,
                    "poison".getBytes(StandardCharsets.UTF_8),
                    ("{\"schema\":1,\"id\":\"p\",\"from\":\"a@example.com\",\"to\":[\"person-x@@recipients.example\"],"
                            + "\"subject\":\"Subject-secret\",\"text\":\"body-secret\"}")
                        .getBytes(StandardCharsets.UTF_8)))
            .get();
      }
      Worker third = f.start(f.config(refusing.port(), 2, "hygiene-3", Map.of()));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  third.stats().snapshot().delivered() >= 5
                      && third.stats().snapshot().deadLettered() >= 6);
      // the refused addresses are on the suppression list now: jobs to them are skipped
      List<Job> suppressed = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        suppressed.add(
            Job.text(
                "suppressed-job-" + i,
                "sender@example.com",
                "gone-" + i + "@recipients.example",
                "Subject-secret",
                "body-secret " + i));
      }
      f.publish(suppressed);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> third.stats().snapshot().deadLettered() >= 11);
      assertThat(third.suppressions().suppressed(dev.postbus.suppression.Source.BOUNCE))
          .isEqualTo(5);
    } finally {
      greenMail.getUserManager().setAuthRequired(false);
      root.detachAppender(logs);
      postbus.setLevel(before);
    }
    assertThat(logs.list).hasSizeGreaterThan(20);
    System.out.printf(
        "LogHygieneIT figures: %d log lines scanned (dev.postbus at DEBUG) for %d secrets%n",
        logs.list.size(), SECRETS.size());
    for (ILoggingEvent e : logs.list) {
      String line = e.getFormattedMessage() + " " + throwableText(e.getThrowableProxy());
      for (String secret : SECRETS) {
        assertThat(line).as("log line from %s", e.getLoggerName()).doesNotContain(secret);
      }
    }
  }

  private static List<Job> jobs(String prefix, int n) {
    List<Job> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          Job.text(
              prefix + "-" + i,
              "sender@example.com",
              "person-" + i + "@recipients.example",
              "Subject-secret",
              "body-secret " + i));
    }
    return out;
  }

  private static String throwableText(IThrowableProxy t) {
    StringBuilder sb = new StringBuilder();
    for (IThrowableProxy c = t; c != null; c = c.getCause()) {
      sb.append(c.getClassName()).append(": ").append(c.getMessage()).append(' ');
    }
    return sb.toString();
  }
}
