package dev.postbus.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The read's bookkeeping, against Kafka's MockConsumer (TopicScanIT reads a real broker). */
class TopicScanTest {

  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);

  /** offsetsForTimes is not implemented by MockConsumer: no record at or after any time. */
  private final MockConsumer<byte[], byte[]> consumer =
      new MockConsumer<>("earliest") {
        @Override
        public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
            Map<TopicPartition, Long> query, Duration timeout) {
          Map<TopicPartition, OffsetAndTimestamp> none = new HashMap<>();
          query.keySet().forEach(tp -> none.put(tp, null));
          return none;
        }
      };

  private final AtomicLong nanos = new AtomicLong();

  private TopicScan scan(Duration timeout) {
    return new TopicScan(consumer, timeout, false, () -> nanos.addAndGet(1_000_000_000L));
  }

  private void partitions(long end0, long end1) {
    consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    consumer.updateEndOffsets(Map.of(P0, end0, P1, end1));
  }

  private void records(TopicPartition tp, long... offsets) {
    consumer.schedulePollTask(
        () -> {
          for (long o : offsets) {
            consumer.addRecord(
                new ConsumerRecord<>(tp.topic(), tp.partition(), o, null, new byte[] {(byte) o}));
          }
        });
  }

  @Test
  void emptyPartitionsAreDoneAtOnce() {
    partitions(0, 0);
    assertThat(
            scan(Duration.ofSeconds(30))
                .read(List.of(P0, P1), Start.beginning(), r -> TopicScan.Step.NEXT))
        .isZero();
  }

  @Test
  void readsEachPartitionToItsEndAndLeavesItThere() {
    partitions(3, 1);
    records(P0, 0, 1, 2, 3, 4); // 3 and 4 were written after the read began
    records(P1, 0);
    List<String> seen = new ArrayList<>();
    long n =
        scan(Duration.ofMinutes(5))
            .read(
                List.of(P0, P1),
                Start.beginning(),
                r -> {
                  seen.add(r.partition() + "@" + r.offset());
                  return TopicScan.Step.NEXT;
                });
    assertThat(n).isEqualTo(4);
    assertThat(seen).containsExactlyInAnyOrder("0@0", "0@1", "0@2", "1@0");
    assertThat(consumer.position(P0)).isEqualTo(3); // the next read starts with offset 3
  }

  @Test
  void aPositionThatJumpsPastTheLastRecordEndsThePartition() {
    partitions(6, 0);
    records(P0, 0, 1);
    consumer.schedulePollTask(() -> consumer.seek(P0, 6)); // a compacted gap or a marker
    assertThat(
            scan(Duration.ofMinutes(5))
                .read(List.of(P0), Start.beginning(), r -> TopicScan.Step.NEXT))
        .isEqualTo(2);
  }

  @Test
  void stopPartitionLeavesOnlyThatPartitionAndStopEndsTheRead() {
    partitions(3, 3);
    records(P0, 0, 1, 2);
    records(P1, 0, 1, 2);
    List<String> seen = new ArrayList<>();
    scan(Duration.ofMinutes(5))
        .read(
            List.of(P0, P1),
            Start.beginning(),
            r -> {
              seen.add(r.partition() + "@" + r.offset());
              return r.partition() == 0 ? TopicScan.Step.STOP_PARTITION : TopicScan.Step.NEXT;
            });
    assertThat(seen).containsExactlyInAnyOrder("0@0", "1@0", "1@1", "1@2");
    assertThat(consumer.paused()).isEmpty();

    partitions(3, 3);
    consumer.seekToBeginning(List.of(P0, P1));
    records(P0, 0, 1, 2);
    assertThat(
            scan(Duration.ofMinutes(5))
                .read(List.of(P0, P1), Start.current(), r -> TopicScan.Step.STOP))
        .isEqualTo(1);
  }

  @Test
  void aTimeWithNoRecordAfterItReadsNothing() {
    partitions(5, 5);
    records(P0, 0, 1, 2, 3, 4);
    assertThat(
            scan(Duration.ofMinutes(5))
                .read(
                    List.of(P0, P1),
                    Start.at(Instant.parse("2030-01-01T00:00:00Z")),
                    r -> TopicScan.Step.NEXT))
        .isZero();
  }

  @Test
  void aReadThatDoesNotFinishInTimeSaysWhichTopicAndHowFarItGot() {
    partitions(3, 0);
    records(P0, 0);
    assertThatThrownBy(
            () ->
                scan(Duration.ofSeconds(5))
                    .read(List.of(P0, P1), Start.beginning(), r -> TopicScan.Step.NEXT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("topic t could not be read to its end within 5 s: partition 0 at 1 of 3");
  }

  @Test
  void aScanWhileMovingFailsOnlyWhenNothingComesForItsTimeout() {
    partitions(20, 0);
    for (long o = 0; o < 20; o++) {
      records(P0, o); // one record a poll: 20 polls, each taking a second on this clock
    }
    TopicScan moving =
        new TopicScan(consumer, Duration.ofSeconds(5), true, () -> nanos.addAndGet(1_000_000_000L));
    assertThat(moving.read(List.of(P0), Start.beginning(), r -> TopicScan.Step.NEXT)).isEqualTo(20);

    partitions(25, 0);
    assertThatThrownBy(() -> moving.read(List.of(P0), Start.current(), r -> TopicScan.Step.NEXT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "topic t could not be read to its end (nothing came for 5 s): partition 0 at 20 of 25");
  }

  @Test
  void aMissingTopicHasNoPartitions() {
    assertThat(scan(Duration.ofSeconds(5)).partitions("nope")).isEmpty();
  }

  @Test
  void aTopicJustCreatedThatOneBrokerDoesNotKnowYetIsWaitedFor() {
    // a broker answers a metadata request from its own copy of the cluster's metadata, which can
    // lag the controller's by a moment after the topic was created
    AtomicInteger asked = new AtomicInteger();
    MockConsumer<byte[], byte[]> lagging =
        new MockConsumer<>("earliest") {
          @Override
          public synchronized List<PartitionInfo> partitionsFor(String topic, Duration timeout) {
            return asked.incrementAndGet() < 3
                ? List.of()
                : List.of(new PartitionInfo(topic, 0, null, null, null));
          }
        };
    TopicScan scan = new TopicScan(lagging, Duration.ofSeconds(30), false, nanos::get);

    assertThat(scan.partitionsOnceKnown("fresh", Duration.ofSeconds(10)))
        .containsExactly(new TopicPartition("fresh", 0));
  }

  @Test
  void aTopicThatStaysUnknownHasNoPartitionsOnceTheSettleTimeIsOver() {
    AtomicInteger asked = new AtomicInteger();
    MockConsumer<byte[], byte[]> empty =
        new MockConsumer<>("earliest") {
          @Override
          public synchronized List<PartitionInfo> partitionsFor(String topic, Duration timeout) {
            asked.incrementAndGet();
            return List.of();
          }
        };
    TopicScan scan =
        new TopicScan(empty, Duration.ofSeconds(30), false, () -> nanos.addAndGet(1_000_000_000L));

    assertThat(scan.partitionsOnceKnown("nope", Duration.ofSeconds(3))).isEmpty();
    assertThat(asked.get()).as("asked until the settle time was over, not forever").isBetween(2, 5);
  }

  @Test
  void scanConsumersNeverAskTheBrokerToCreateAMissingTopicWhateverTheSettingsSay() {
    Map<String, Object> given = new HashMap<>();
    given.put("bootstrap.servers", "localhost:1");
    given.put("allow.auto.create.topics", "true");
    given.put("group.id", "someone");
    Map<String, Object> p = TopicScan.settings(given, null);
    assertThat(p)
        .containsEntry("allow.auto.create.topics", "false")
        .containsEntry("enable.auto.commit", "false")
        .doesNotContainKey("group.id");
    try (var c = TopicScan.consumer(given)) {
      assertThat(c).isNotNull(); // the settings are the consumer's own
    }
  }
}
