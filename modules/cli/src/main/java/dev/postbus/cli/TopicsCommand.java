package dev.postbus.cli;

import dev.postbus.worker.config.KafkaKeys;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.topics.TopicProvisioner;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "topics",
    mixinStandardHelpOptions = true,
    description = "Manage the topics Postbus uses.",
    subcommands = TopicsCommand.Create.class)
final class TopicsCommand {

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Create the topics Postbus uses when they are missing.",
        "The jobs topic, its retry tiers (<topic>.retry.<delay>), its dead-letter topic (<topic>.dlt) and",
        "the events topic.",
        "Reads the same configuration as the worker (--config, POSTBUS_* variables)."
      })
  static final class Create implements Callable<Integer> {

    @Mixin KafkaOptions kafka;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "Worker properties file (for the retry ladder and topic names).")
    java.nio.file.Path config;

    @Option(
        names = "--partitions",
        description =
            "Partitions per topic (default: topics.partitions, 6): "
                + "the most workers that can share the load.")
    Integer partitions;

    @Option(
        names = "--replication",
        description = "Replication factor (default: topics.replication, 1; 3 in production).")
    Short replication;

    @Override
    public Integer call() {
      if ((partitions != null && partitions < 1) || (replication != null && replication < 1)) {
        System.err.println("postbus: --partitions and --replication must be at least 1");
        return Postbus.EXIT_CONFIG;
      }
      kafka.requireKafka();
      Map<String, String> env = new java.util.HashMap<>(System.getenv());
      env.put(KafkaKeys.BOOTSTRAP_SERVERS.env(), kafka.bootstrapServers());
      env.put(KafkaKeys.TOPIC.env(), kafka.topic());
      WorkerConfig worker = WorkerConfig.from(Settings.load(config, env));
      List<String> topics = new java.util.ArrayList<>(worker.allTopics());
      // postbus feedback's topic (it creates it too at start-up, feedback.create-topics)
      topics.add(dev.postbus.feedback.model.FeedbackTopic.of(worker.topic()));
      // The worker's Kafka client settings (SASL, TLS) apply here too.
      Map<String, Object> admin = new java.util.HashMap<>(worker.kafkaClient());
      admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      int p = partitions != null ? partitions : worker.topics().partitions();
      short r = replication != null ? replication : worker.topics().replication();
      try (Admin client = Admin.create(admin)) {
        List<String> created = TopicProvisioner.ensure(client, topics, p, r, worker.topicConfigs());
        for (String t : topics) {
          System.out.println((created.contains(t) ? "created  " : "exists   ") + t);
        }
      }
      return 0;
    }
  }
}
