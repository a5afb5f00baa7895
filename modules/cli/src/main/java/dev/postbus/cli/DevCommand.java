package dev.postbus.cli;

import dev.postbus.console.ConsoleServer;
import dev.postbus.embedded.Faults;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description = {
      "Run the whole flow on this machine until Ctrl-C.",
      "A real Kafka broker (data in .postbus/), an SMTP capture server with a page listing every message,",
      "a worker, the operator console and the feedback receiver. Loopback only."
    })
final class DevCommand implements Callable<Integer> {

  /** The dev capture server refuses every address of this domain with 550 5.1.1. */
  static final String UNKNOWN_DOMAIN = "unknown.test";

  private static final Faults UNKNOWN_USERS =
      new Faults() {
        @Override
        public Reply recipient(String address) {
          return address.toLowerCase(java.util.Locale.ROOT).endsWith("@" + UNKNOWN_DOMAIN)
              ? new Reply(550, "5.1.1 User unknown")
              : null;
        }
      };

  @Option(
      names = "--kafka-port",
      defaultValue = "9092",
      description = "Kafka listener (default ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(
      names = "--controller-port",
      defaultValue = "9093",
      description = "KRaft controller (default ${DEFAULT-VALUE}).")
  int controllerPort;

  @Option(
      names = "--smtp-port",
      defaultValue = "1025",
      description = "SMTP capture (default ${DEFAULT-VALUE}).")
  int smtpPort;

  @Option(
      names = "--http-port",
      defaultValue = "8025",
      description = "Capture page (default ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(
      names = "--console-port",
      defaultValue = "8080",
      description = "Operator console (default ${DEFAULT-VALUE}).")
  int consolePort;

  @Option(
      names = "--feedback-port",
      defaultValue = "8090",
      description = "Feedback receiver (default ${DEFAULT-VALUE}).")
  int feedbackPort;

  @Option(
      names = "--worker-port",
      defaultValue = "9464",
      description =
          "The worker's /metrics, health probes and /admin/resume (http.port; default"
              + " ${DEFAULT-VALUE}).")
  int workerPort;

  @Option(
      names = "--connections",
      defaultValue = "4",
      description = "SMTP connections (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Properties file with feedback.* keys for the dev receiver (e.g."
              + " feedback.ses.topic-arns; POSTBUS_FEEDBACK_* variables win), and dev-only"
              + " dev.sns-certificate-hosts and dev.sns-certificate-ca: SNS certificates of your"
              + " own, fetched over https from those hosts with that CA's trust.")
  Path config;

  @Option(
      names = "--data",
      defaultValue = ".postbus/kafka",
      description = "Broker data folder (default ${DEFAULT-VALUE}).")
  Path data;

  /**
   * The worker's admin token (http.admin-token-file) beside the broker's data, made on first use,
   * readable by its owner only.
   */
  private Path adminToken() throws java.io.IOException {
    Path dir = data.toAbsolutePath().getParent();
    Path file = dir.resolve("admin-token");
    if (!java.nio.file.Files.exists(file)) {
      java.nio.file.Files.createDirectories(dir);
      byte[] bytes = new byte[24];
      new java.security.SecureRandom().nextBytes(bytes);
      java.nio.file.Files.writeString(
          file, java.util.HexFormat.of().formatHex(bytes) + "\n", StandardCharsets.UTF_8);
      try {
        java.nio.file.Files.setPosixFilePermissions(
            file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // the file stays as the platform made it
      }
    }
    return file;
  }

  @Override
  public Integer call() throws Exception {
    Map<String, String> feedbackSettings = DevFeedbackSettings.load(config, System.getenv());
    DevSnsCertificates sns = DevSnsCertificates.load(config);
    DevStack stack =
        DevStack.start(
            new DevStack.Layout(data, false, kafkaPort, controllerPort, smtpPort, httpPort),
            connections,
            Map.of(
                "http.admin-token-file",
                adminToken().toString(),
                "http.port",
                Integer.toString(workerPort)));
    stack.capture.faults(UNKNOWN_USERS);
    ConsoleServer console;
    dev.postbus.feedback.FeedbackServer feedback;
    try {
      console = stack.startConsole(consolePort);
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
    try {
      feedback = stack.startFeedback(feedbackPort, feedbackSettings, sns);
    } catch (RuntimeException e) {
      console.close();
      stack.close();
      throw e;
    }
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  console.close();
                  feedback.close();
                  stack.close();
                  done.countDown();
                },
                "postbus-dev-shutdown"));
    System.out.printf(
        """
        Postbus dev stack is running (Ctrl-C to stop):
          Kafka          %s   (topic %s, dead letters %s.dlt)
          SMTP capture   127.0.0.1:%d
          Captured mail  http://127.0.0.1:%d/
          Console        %s/   (dead letters, replay, job lookup, overview, suppressions)
          Feedback       %s/   (bounces and complaints; /feedback/generic needs no token here)
          Bounce SMTP    127.0.0.1:%d   (DSNs and ARF reports to any address @%s)
          Admin token    %s   (postbus resume --admin-token-file %s)
        Publish a job:
          ./postbus send --from a@example.com --to b@example.com --subject Hi --text Hello
        and one the capture server refuses (every address @%s is unknown), to see it in the console:
          ./postbus send --from a@example.com --to nobody@%s --subject Hi --text Hello
        """,
        stack.kafka.bootstrapServers(),
        stack.topic,
        stack.topic,
        stack.capture.port(),
        stack.page.port(),
        console.url(),
        feedback.url(),
        feedback.smtpPort(),
        DevStack.DEV_BOUNCE_DOMAIN,
        adminToken(),
        adminToken(),
        UNKNOWN_DOMAIN,
        UNKNOWN_DOMAIN);
    while (!done.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
      if (stack.worker.awaitStopped(Duration.ZERO)) {
        return 1;
      }
    }
    return 0;
  }
}
