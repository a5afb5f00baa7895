package dev.postbus.cli;

import dev.postbus.embedded.CapturePage;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.lifecycle.Worker;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The whole flow on one machine: a real Kafka broker in this JVM, an SMTP capture server with its
 * page, and a worker delivering into it. What {@code postbus dev} and {@code postbus demo} run.
 */
final class DevStack implements AutoCloseable {

  /** Ports and storage of a stack. */
  record Layout(
      Path kafkaData,
      boolean deleteData,
      int kafkaPort,
      int controllerPort,
      int smtpPort,
      int httpPort) {}

  final EmbeddedKafka kafka;
  final SmtpCapture capture;
  final CapturePage page;
  final Worker worker;
  final String topic;

  private DevStack(
      EmbeddedKafka kafka, SmtpCapture capture, CapturePage page, Worker worker, String topic) {
    this.kafka = kafka;
    this.capture = capture;
    this.page = page;
    this.worker = worker;
    this.topic = topic;
  }

  /** The operator console over this stack (its broker, topic, events and group) on {@code port}. */
  dev.postbus.console.ConsoleServer startConsole(int port) {
    return dev.postbus.console.ConsoleServer.start(
        dev.postbus.console.ConsoleConfig.builder(
                Map.of("bootstrap.servers", kafka.bootstrapServers()), topic)
            .eventsTopic(worker.config().eventsTopic())
            .group(worker.config().group())
            .port(port)
            .build());
  }

  /** The domain whose mail the dev stack's bounce listener takes. */
  static final String DEV_BOUNCE_DOMAIN = "bounces.localhost";

  /**
   * The feedback receiver over this stack on {@code port}; {@code /feedback/generic} takes loopback
   * callers without a token (dev only); its SMTP listener takes DSNs and ARF reports for {@link
   * #DEV_BOUNCE_DOMAIN} on a free port.
   *
   * @param settings feedback.* keys (e.g. feedback.ses.topic-arns), as {@code postbus feedback}
   *     takes them; the host (loopback), ports, events topic and bounce domain are the stack's
   *     ({@link DevFeedbackSettings#check} refuses them)
   * @param sns where SNS certificates may come from (dev only), or null: AWS's hosts
   */
  dev.postbus.feedback.FeedbackServer startFeedback(
      int port, Map<String, String> settings, DevSnsCertificates sns) {
    dev.postbus.feedback.config.FeedbackConfig.Builder b =
        dev.postbus.feedback.config.FeedbackConfig.fromSettings(
                Map.of("bootstrap.servers", kafka.bootstrapServers()),
                topic,
                DevFeedbackSettings.check(settings))
            .eventsTopic(worker.config().eventsTopic())
            .port(port)
            .devLoopbackGeneric(true);
    if (sns != null) {
      b.certificateSourceForTests(sns.hosts(), sns.trust());
    }
    b.smtp().port(0).bounceDomain(DEV_BOUNCE_DOMAIN);
    return dev.postbus.feedback.FeedbackServer.start(b.build());
  }

  static DevStack start(Layout layout, int connections, Map<String, String> workerSettings) {
    EmbeddedKafka kafka =
        EmbeddedKafka.start(
            layout.kafkaData(), layout.kafkaPort(), layout.controllerPort(), layout.deleteData());
    SmtpCapture capture = null;
    CapturePage page = null;
    try {
      capture = SmtpCapture.start(layout.smtpPort());
      page = CapturePage.start(capture, layout.httpPort());
      Map<String, String> values =
          new HashMap<>(
              Map.of(
                  "kafka.bootstrap-servers",
                  kafka.bootstrapServers(),
                  "smtp.host",
                  "127.0.0.1",
                  "smtp.port",
                  Integer.toString(capture.port()),
                  "smtp.tls",
                  "none",
                  "smtp.connections",
                  Integer.toString(connections),
                  "worker.id",
                  "dev-worker"));
      values.putAll(workerSettings);
      WorkerConfig config = WorkerConfig.from(Settings.of(values));
      Worker worker = Worker.start(config);
      return new DevStack(kafka, capture, page, worker, config.topic());
    } catch (RuntimeException e) {
      if (page != null) {
        page.close();
      }
      if (capture != null) {
        capture.close();
      }
      kafka.close();
      throw e;
    }
  }

  @Override
  public void close() {
    worker.close();
    page.close();
    capture.close();
    kafka.close();
  }
}
