package dev.postbus.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The dead-letter table's reads. */
class DeadLetterSourceTest {

  @Test
  void itsConsumerNeverCreatesTheTopic() {
    Map<String, Object> kafka =
        Map.of(
            "bootstrap.servers",
            "localhost:9092",
            ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
            "true");
    assertThat(DeadLetterSource.settings(kafka))
        .containsEntry(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false")
        .doesNotContainKey(ConsumerConfig.GROUP_ID_CONFIG);
  }

  /**
   * The end reported is past what Kafka brings (Kafka gone mid-read, the topic recreated shorter):
   * the read fails after the read timeout without the position moving, on a clock the test moves.
   */
  @Test
  void aReadThatStopsMovingFailsAfterTheReadTimeout() {
    TopicPartition p0 = new TopicPartition("jobs.dlt", 0);
    MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    consumer.updatePartitions(
        "jobs.dlt", List.of(new PartitionInfo("jobs.dlt", 0, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(p0, 0L));
    consumer.updateEndOffsets(Map.of(p0, 10L));
    consumer.schedulePollTask(
        () -> {
          for (long o = 0; o < 5; o++) {
            consumer.addRecord(new ConsumerRecord<>("jobs.dlt", 0, o, new byte[0], new byte[0]));
          }
        });
    AtomicLong now = new AtomicLong();
    LongAdder read = new LongAdder();
    DeadLetterSource source =
        new DeadLetterSource(
            consumer,
            "jobs.dlt",
            read,
            ConsoleConfig.READ_TIMEOUT,
            () -> now.addAndGet(1_000_000_000L));

    assertTimeoutPreemptively(
        Duration.ofSeconds(20),
        () ->
            assertThatThrownBy(() -> source.read(0, 0, source.end()[0], d -> true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("jobs.dlt-0")
                .hasMessageContaining("offset 5 of 10"));
    assertThat(read.sum()).isEqualTo(5);
    assertThat(now.get()).isLessThan(Duration.ofSeconds(40).toNanos());
  }
}
