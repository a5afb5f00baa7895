package dev.postbus.cli;

import dev.postbus.feedback.model.FeedbackLine;
import dev.postbus.feedback.model.FeedbackTopic;
import dev.postbus.kafka.Start;
import dev.postbus.kafka.TopicScan;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = {
      "Print the recent bounces and complaints written to <topic>.feedback.",
      "Each line: time, provider, type, class, job id and the recipient's domain (never the",
      "address). --follow keeps printing new ones."
    })
final class FeedbackTailCommand implements Callable<Integer> {

  private static final Duration STALL = Duration.ofSeconds(10);
  private static final Duration POLL = Duration.ofMillis(500);

  @Mixin KafkaOptions kafka;

  @Option(
      names = "--since",
      paramLabel = "WHEN",
      defaultValue = "1h",
      description =
          "Records written at or after: ISO-8601 time or an age (30m, 2h, 7d). Default"
              + " ${DEFAULT-VALUE}.")
  String since;

  @Option(names = "--follow", description = "Keep printing records as they arrive (Ctrl-C stops).")
  boolean follow;

  @Override
  public Integer call() {
    Instant from = dev.postbus.replay.Times.instantOrAge(since, "--since", Instant.now());
    kafka.requireKafka();
    String topic = FeedbackTopic.of(kafka.topic());
    PrintStream out = System.out;
    try (KafkaConsumer<byte[], byte[]> consumer = TopicScan.consumer(kafka.clientProperties())) {
      TopicScan scan = TopicScan.whileMoving(consumer, STALL);
      List<TopicPartition> partitions = scan.partitions(topic);
      if (partitions.isEmpty() && !follow) {
        System.err.println(
            "No topic " + topic + " (postbus feedback or postbus topics create makes it)");
        return 1;
      }
      out.println(FeedbackLine.HEADER);
      long shown = scan.read(partitions, Start.at(from), r -> print(out, r));
      out.flush();
      if (!follow) {
        out.println(shown + " reports since " + from);
        return 0;
      }
      follow(consumer, scan, topic, partitions, out);
    }
    return 0;
  }

  /** Polls for ever from where the read ended; picks the topic up when it appears later. */
  private static void follow(
      KafkaConsumer<byte[], byte[]> consumer,
      TopicScan scan,
      String topic,
      List<TopicPartition> partitions,
      PrintStream out) {
    List<TopicPartition> owned = partitions;
    while (true) {
      if (owned.isEmpty()) {
        owned = scan.partitions(topic);
        if (!owned.isEmpty()) {
          consumer.assign(owned);
          consumer.seekToBeginning(owned);
        }
      }
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
        print(out, r);
      }
      out.flush();
    }
  }

  private static TopicScan.Step print(PrintStream out, ConsumerRecord<byte[], byte[]> r) {
    out.println(FeedbackLine.format(r.value()));
    return TopicScan.Step.NEXT;
  }
}
