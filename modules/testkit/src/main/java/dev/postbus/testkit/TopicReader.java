package dev.postbus.testkit;

import static org.awaitility.Awaitility.await;

import dev.postbus.kafka.Start;
import dev.postbus.kafka.TopicScan;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;

/** Reads a topic from the beginning with a consumer of its own (no group), for assertions. */
public final class TopicReader {

  private TopicReader() {}

  /**
   * Every record of {@code topic} up to its end, then those that keep arriving until at least
   * {@code atLeast} were read or {@code timeout} passed (a topic not created by then reads as
   * empty).
   */
  public static List<ConsumerRecord<byte[], byte[]>> read(
      String bootstrap, String topic, int atLeast, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (var consumer =
        TopicScan.consumer(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      TopicScan scan = new TopicScan(consumer, timeout);
      List<TopicPartition> partitions;
      try {
        partitions = await().atMost(timeout).until(() -> scan.partitions(topic), p -> !p.isEmpty());
      } catch (ConditionTimeoutException notCreated) {
        return out;
      }
      scan.read(
          partitions,
          Start.beginning(),
          r -> {
            out.add(r);
            return TopicScan.Step.NEXT;
          });
      while (out.size() < atLeast && System.nanoTime() - deadline < 0) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add); // the scan left it at the end
      }
      return out;
    }
  }

  /** The keys of those records, as UTF-8 text. */
  public static List<String> keys(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream()
        .map(r -> r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8))
        .toList();
  }
}
