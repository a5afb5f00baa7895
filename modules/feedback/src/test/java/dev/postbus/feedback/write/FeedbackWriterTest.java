package dev.postbus.feedback.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.feedback.model.BounceClass;
import dev.postbus.feedback.model.Feedback;
import dev.postbus.feedback.model.FeedbackCodec;
import dev.postbus.feedback.model.FeedbackType;
import dev.postbus.suppression.SuppressionWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class FeedbackWriterTest {

  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

  @Test
  void eachFeedbackRecordSaysItsKindInAHeader() {
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    FeedbackWriter writer =
        new FeedbackWriter(
            producer,
            "t.feedback",
            new SuppressionWriter(producer, "t.suppressions"),
            "t.events",
            Duration.ofSeconds(5),
            Clock.fixed(NOW, ZoneOffset.UTC));

    writer.write(
        List.of(
            report(FeedbackType.BOUNCE, BounceClass.TRANSIENT),
            report(FeedbackType.COMPLAINT, null)));

    List<String> kinds =
        producer.history().stream()
            .filter(r -> r.topic().equals("t.feedback"))
            .map(FeedbackWriterTest::kind)
            .toList();
    assertThat(kinds).containsExactly("bounce/transient", "complaint");
  }

  private static String kind(ProducerRecord<byte[], byte[]> r) {
    return new String(r.headers().lastHeader(FeedbackCodec.KIND_HEADER).value());
  }

  private static Feedback report(FeedbackType type, BounceClass c) {
    return new Feedback(
        type, c, "a@example.net", null, null, "job-1", null, "generic", null, NOW, null);
  }
}
