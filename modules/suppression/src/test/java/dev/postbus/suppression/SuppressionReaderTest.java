package dev.postbus.suppression;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Reading the list once, for a command that only consults it, against Kafka's MockConsumer. */
class SuppressionReaderTest {

  private static final String TOPIC = "jobs.suppressions";

  /** A consumer that counts how often it was asked for the topic's partitions. */
  private static final class Asked extends MockConsumer<byte[], byte[]> {
    final AtomicInteger partitionsAsked = new AtomicInteger();
    final List<Duration> closedWithin = new ArrayList<>();

    Asked() {
      super("earliest");
    }

    @Override
    public synchronized List<PartitionInfo> partitionsFor(String topic, Duration timeout) {
      partitionsAsked.incrementAndGet();
      return super.partitionsFor(topic, timeout);
    }

    @Override
    public synchronized void close(Duration timeout) {
      closedWithin.add(timeout);
      super.close(timeout);
    }
  }

  @Test
  void aMissingTopicIsAskedAboutOnceAndReadsAsNoList() {
    Asked consumer = new Asked();
    List<String> malformed = new ArrayList<>();

    var list =
        SuppressionReader.readAllIfThere(consumer, TOPIC, Duration.ofSeconds(30), malformed::add);

    assertThat(list).isEmpty();
    assertThat(consumer.partitionsAsked.get())
        .as("a topic nothing created a moment ago is asked about once, not until a settle time")
        .isEqualTo(1);
    assertThat(consumer.closed()).isTrue();
    assertThat(malformed).isEmpty();
  }

  @Test
  void anExistingTopicIsReadToItsEnd() {
    Asked consumer = new Asked();
    TopicPartition p0 = new TopicPartition(TOPIC, 0);
    consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(p0, 0L));
    consumer.updateEndOffsets(Map.of(p0, 3L));
    Suppression gone =
        new Suppression(
            "gone@example.net",
            "RCPT refused",
            550,
            "5.1.1",
            Source.BOUNCE,
            Instant.parse("2026-01-01T00:00:00Z"),
            null);
    Suppression back =
        new Suppression(
            "back@example.net",
            "added by an operator",
            null,
            null,
            Source.OPERATOR,
            gone.at(),
            null);
    consumer.schedulePollTask(
        () -> {
          consumer.addRecord(record(0, SuppressionCodec.key("gone@example.net"), gone));
          consumer.addRecord(record(1, SuppressionCodec.key("back@example.net"), back));
          consumer.addRecord(record(2, SuppressionCodec.key("back@example.net"), null));
        });

    var list =
        SuppressionReader.readAllIfThere(consumer, TOPIC, Duration.ofSeconds(30), problem -> {});

    assertThat(list).isPresent();
    assertThat(list.get().keySet())
        .containsExactly(new SuppressionCodec.Key("gone@example.net", null));
    assertThat(list.get().values()).extracting(Suppression::reason).containsExactly("RCPT refused");
    // the consumer joined no group: nothing to commit or leave. Closing it within a timeout waits
    // for the fetch it sent for the partitions at their end, which Kafka holds for
    // fetch.max.wait.ms (500 ms) when nothing new comes: every command would wait that out
    assertThat(consumer.closedWithin)
        .as("closed at once, not after the fetch Kafka holds at the end")
        .containsExactly(Duration.ZERO);
  }

  private static ConsumerRecord<byte[], byte[]> record(long offset, byte[] key, Suppression s) {
    return new ConsumerRecord<>(
        TOPIC, 0, offset, key, s == null ? null : SuppressionCodec.value(s));
  }
}
