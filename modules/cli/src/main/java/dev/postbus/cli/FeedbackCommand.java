package dev.postbus.cli;

import dev.postbus.feedback.FeedbackServer;
import dev.postbus.feedback.config.FeedbackConfig;
import dev.postbus.feedback.config.FeedbackSettings;
import dev.postbus.worker.config.KafkaKeys;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "feedback",
    mixinStandardHelpOptions = true,
    subcommands = FeedbackTailCommand.class,
    description = {
      "Receive the bounces and complaints that relays report after accepting a message.",
      "SES (SNS), SendGrid, Postmark, Mailgun and a generic JSON endpoint, each verified the way",
      "its source signs. Writes",
      "<topic>.feedback, suppressions (source feedback) and bounced/complained events. Stateless:",
      "run several behind a load balancer. Settings: feedback.* keys (docs/feedback.md).",
      "With feedback.smtp-port, also an SMTP listener for DSNs and ARF complaints.",
      "`postbus feedback tail` prints the recent reports."
    })
final class FeedbackCommand implements Callable<Integer> {

  @Mixin KafkaOptions kafka;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Properties file with feedback.* keys; POSTBUS_FEEDBACK_* variables win.")
  Path config;

  @Override
  public Integer call() throws Exception {
    Map<String, String> env = new HashMap<>(System.getenv());
    Map<String, String> settings = FeedbackSettings.load(config, env);
    if (!settings.containsKey("feedback.events-topic")
        && env.get(KafkaKeys.EVENTS_TOPIC.env()) != null) {
      settings.put("feedback.events-topic", env.get(KafkaKeys.EVENTS_TOPIC.env()));
    }
    FeedbackConfig c =
        FeedbackConfig.fromSettings(kafka.clientProperties(), kafka.topic(), settings).build();
    kafka.requireKafka();
    FeedbackServer server = FeedbackServer.start(c);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "postbus-feedback-stop"));
    System.out.println(
        "Postbus feedback receiver on " + server.url() + "/feedback/... (Ctrl-C to stop)");
    if (server.smtpPort() >= 0) {
      System.out.println(
          "SMTP listener for DSNs and ARF reports on "
              + c.host()
              + ":"
              + server.smtpPort()
              + " (mail for @"
              + c.smtp().bounceDomain()
              + (c.smtp().verp() ? " and @" + c.smtp().returnPathDomain() : "")
              + ")");
    }
    stopped.await();
    return 0;
  }
}
