package dev.postbus.cli;

import dev.postbus.worker.config.Keys;
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

@Command(name = "topics", mixinStandardHelpOptions = true, description = "Manage the topics Postbus uses.",
    subcommands = TopicsCommand.Create.class)
final class TopicsCommand {

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = {"Create the topics Postbus uses when missing: the jobs topic, its retry tiers",
          "(<topic>.retry.<delay>), its dead-letter topic (<topic>.dlt) and the events topic.",
          "Reads the same configuration as the worker (--config, POSTBUS_* variables)."})
  static final class Create implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--config", paramLabel = "FILE", description = "Worker properties file (for the retry ladder and topic names).")
    java.nio.file.Path config;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions per topic (default ${DEFAULT-VALUE}): "
        + "the most workers that can share the load.")
    int partitions;

    @Option(names = "--replication", defaultValue = "1", description = "Replication factor (default ${DEFAULT-VALUE}; 3 in production).")
    short replication;

    @Override
    public Integer call() {
      if (partitions < 1 || replication < 1) {
        System.err.println("postbus: --partitions and --replication must be at least 1");
        return Postbus.EXIT_CONFIG;
      }
      Map<String, String> env = new java.util.HashMap<>(System.getenv());
      env.put(Keys.BOOTSTRAP_SERVERS.env(), kafka.bootstrapServers());
      env.put(Keys.TOPIC.env(), kafka.topic());
      List<String> topics = WorkerConfig.from(Settings.load(config, env)).allTopics();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        List<String> created = TopicProvisioner.ensure(admin, topics, partitions, replication);
        for (String t : topics) {
          System.out.println((created.contains(t) ? "created  " : "exists   ") + t);
        }
      }
      return 0;
    }
  }
}
