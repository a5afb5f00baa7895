package dev.postbus.cli;

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
      description = "Create the jobs topic and its dead-letter topic (<topic>.dlt) when missing.")
  static final class Create implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

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
      List<String> topics = TopicProvisioner.topicsFor(kafka.topic());
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
