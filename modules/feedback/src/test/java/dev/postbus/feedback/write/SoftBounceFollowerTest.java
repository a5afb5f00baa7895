package dev.postbus.feedback.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.feedback.model.BounceClass;
import dev.postbus.feedback.model.Feedback;
import dev.postbus.feedback.model.FeedbackCodec;
import dev.postbus.feedback.model.FeedbackType;
import dev.postbus.feedback.receive.FeedbackMetrics;
import dev.postbus.suppression.SuppressionWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class SoftBounceFollowerTest {

  private static final String TOPIC = "t.feedback";
  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  /** MockConsumer does not answer offsetsForTimes: no record at or after the time (the end). */
  private static final class Timeless extends MockConsumer<byte[], byte[]> {
    Timeless() {
      super(OffsetResetStrategy.EARLIEST);
    }

    @Override
    public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
        Map<TopicPartition, Long> times, Duration timeout) {
      Map<TopicPartition, OffsetAndTimestamp> none = new HashMap<>();
      times.keySet().forEach(tp -> none.put(tp, null));
      return none;
    }

    @Override
    public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
        Map<TopicPartition, Long> times) {
      return offsetsForTimes(times, Duration.ofSeconds(1));
    }
  }

  @Test
  void aPartitionAddedToTheTopicLaterIsReadAndItsSoftBouncesSuppress() {
    Timeless consumer = new Timeless();
    TopicPartition p0 = new TopicPartition(TOPIC, 0);
    TopicPartition p1 = new TopicPartition(TOPIC, 1);
    consumer.updatePartitions(TOPIC, List.of(info(0)));
    consumer.updateBeginningOffsets(Map.of(p0, 0L, p1, 0L));
    consumer.updateEndOffsets(Map.of(p0, 0L, p1, 5L));
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    SoftBounces counts = new SoftBounces(1, Duration.ofDays(7), 1000, CLOCK);
    try (SoftBounceFollower follower =
        new SoftBounceFollower(
            consumer,
            TOPIC,
            new SuppressionWriter(producer, "t.suppressions"),
            counts,
            Duration.ofDays(7),
            CLOCK,
            Duration.ofMillis(1))) {
      follower.start();
      assertThat(consumer.assignment()).containsExactly(p0);

      consumer.updatePartitions(TOPIC, List.of(info(0), info(1)));
      await().atMost(Duration.ofSeconds(10)).until(() -> consumer.assignment().contains(p1));
      consumer.schedulePollTask(() -> consumer.addRecord(softBounce(1, 0)));

      await().atMost(Duration.ofSeconds(10)).until(() -> follower.suppressed() == 1);
      assertThat(producer.history()).hasSize(1);
    }
  }

  @Test
  void aRecordWhoseKindHeaderIsNotASoftBounceIsSkippedUnreadAndOneWithoutTheHeaderIsRead() {
    Timeless consumer = new Timeless();
    TopicPartition p0 = new TopicPartition(TOPIC, 0);
    consumer.updatePartitions(TOPIC, List.of(info(0)));
    consumer.updateBeginningOffsets(Map.of(p0, 0L));
    consumer.updateEndOffsets(Map.of(p0, 0L));
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    SoftBounces counts = new SoftBounces(2, Duration.ofDays(7), 1000, CLOCK);
    try (SoftBounceFollower follower =
        new SoftBounceFollower(
            consumer,
            TOPIC,
            new SuppressionWriter(producer, "t.suppressions"),
            counts,
            Duration.ofDays(7),
            CLOCK,
            Duration.ofMinutes(1))) {
      follower.start();
      ConsumerRecord<byte[], byte[]> saysPermanent = softBounce(0, 0, "ev-1");
      saysPermanent.headers().add(FeedbackCodec.KIND_HEADER, "bounce/permanent".getBytes());
      ConsumerRecord<byte[], byte[]> saysTransient = softBounce(0, 1, "ev-2");
      saysTransient.headers().add(FeedbackCodec.KIND_HEADER, "bounce/transient".getBytes());
      ConsumerRecord<byte[], byte[]> older = softBounce(0, 2, "ev-3");
      consumer.schedulePollTask(
          () -> {
            consumer.addRecord(saysPermanent);
            consumer.addRecord(saysTransient);
            consumer.addRecord(older);
          });

      AtomicBoolean allHandled = new AtomicBoolean();
      consumer.schedulePollTask(() -> allHandled.set(true)); // the next poll: after all three
      await().atMost(Duration.ofSeconds(10)).until(allHandled::get);
      assertThat(follower.suppressed())
          .as("at the limit of 2 with the last record only: the first was skipped")
          .isEqualTo(1);
      assertThat(producer.history()).hasSize(1);
    }
  }

  @Test
  void aRecordTheFollowerFailsOnIsCountedInTheMetrics() {
    Timeless consumer = new Timeless();
    TopicPartition p0 = new TopicPartition(TOPIC, 0);
    consumer.updatePartitions(TOPIC, List.of(info(0)));
    consumer.updateBeginningOffsets(Map.of(p0, 0L));
    consumer.updateEndOffsets(Map.of(p0, 0L));
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    FeedbackMetrics metrics = new FeedbackMetrics();
    try (SoftBounceFollower follower =
        new SoftBounceFollower(
            consumer,
            TOPIC,
            new SuppressionWriter(producer, "t.suppressions"),
            new SoftBounces(2, Duration.ofDays(7), 1000, CLOCK),
            Duration.ofDays(7),
            CLOCK,
            Duration.ofMinutes(1))) {
      metrics.softBounces(follower);
      follower.start();
      ConsumerRecord<byte[], byte[]> poisoned =
          new ConsumerRecord<>(TOPIC, 0, 0, null, new byte[0]) {
            @Override
            public org.apache.kafka.common.header.Headers headers() {
              throw new IllegalStateException("cannot be read");
            }
          };
      consumer.schedulePollTask(() -> consumer.addRecord(poisoned));

      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  metrics
                      .scrape()
                      .contains("postbus_feedback_soft_bounce_reader_errors_total 1.0"));
    }
  }

  @Test
  void aTopicDeletedAndCreatedAgainStillSuppresses() {
    Timeless consumer = new Timeless();
    TopicPartition p0 = new TopicPartition(TOPIC, 0);
    consumer.updatePartitions(TOPIC, List.of(info(0)));
    consumer.updateBeginningOffsets(Map.of(p0, 0L));
    consumer.updateEndOffsets(Map.of(p0, 1000L));
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    try (SoftBounceFollower follower =
        new SoftBounceFollower(
            consumer,
            TOPIC,
            new SuppressionWriter(producer, "t.suppressions"),
            new SoftBounces(1, Duration.ofDays(7), 1000, CLOCK),
            Duration.ofDays(7),
            CLOCK,
            Duration.ofMinutes(1))) {
      follower.start();
      assertThat(consumer.position(p0)).isEqualTo(1000L);

      consumer.schedulePollTask(
          () -> {
            // the topic deleted and created again: position 1000 is out of range, reset to 0
            consumer.updateEndOffsets(Map.of(p0, 1L));
            consumer.seek(p0, 0L);
            consumer.addRecord(softBounce(0, 0));
          });

      await().atMost(Duration.ofSeconds(10)).until(() -> follower.suppressed() == 1);
    }
  }

  private static ConsumerRecord<byte[], byte[]> softBounce(int partition, long offset) {
    return softBounce(partition, offset, "ev-1");
  }

  private static ConsumerRecord<byte[], byte[]> softBounce(
      int partition, long offset, String eventId) {
    Feedback f =
        new Feedback(
            FeedbackType.BOUNCE,
            BounceClass.TRANSIENT,
            "soft@example.net",
            "4.2.2",
            "mailbox full",
            "job-1",
            null,
            "generic",
            eventId,
            NOW,
            null);
    return new ConsumerRecord<>(
        TOPIC,
        partition,
        offset,
        NOW.toEpochMilli(),
        TimestampType.CREATE_TIME,
        -1,
        -1,
        FeedbackCodec.key(f),
        FeedbackCodec.value(f, NOW),
        new RecordHeaders(),
        Optional.empty());
  }

  private static PartitionInfo info(int partition) {
    return new PartitionInfo(TOPIC, partition, null, null, null);
  }
}
