package dev.postbus.feedback.receive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.job.UnsubscribeToken;
import dev.postbus.suppression.SuppressionWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** What {@link UnsubscribeEndpoint#unsubscribe} writes, through a MockProducer. */
class UnsubscribeWriteTest {

  private static final String KEY = "unsubscribe-test-key-0123456789abcdef";
  private static final byte[] ONE_CLICK =
      "List-Unsubscribe=One-Click".getBytes(StandardCharsets.US_ASCII);
  private static final String ENTRY = "list:news bob@example.net";

  private final Clock clock = Clock.fixed(Instant.parse("2026-12-06T12:00:00Z"), ZoneOffset.UTC);
  private final UnsubscribeToken tokens = new UnsubscribeToken(KEY, null);
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final SuppressionWriter writer = new SuppressionWriter(producer, "jobs.suppressions");
  private final UnsubscribeEndpoint endpoint =
      new UnsubscribeEndpoint(tokens, writer, new FeedbackMetrics(), Duration.ofSeconds(5), clock);

  @Test
  void anUnsubscribeAfterAReSubscribeIsWrittenAgain() throws Exception {
    String first = tokens.token("news", "bob@example.net", "news-1");
    assertThat(endpoint.unsubscribe(first, () -> ONE_CLICK).status()).isEqualTo(202);
    writer.remove("bob@example.net", "news").get(); // suppressions remove --list news, elsewhere

    String later = tokens.token("news", "bob@example.net", "news-3");
    assertThat(endpoint.unsubscribe(later, () -> ONE_CLICK).status()).isEqualTo(202);

    List<ProducerRecord<byte[], byte[]>> sent = producer.history();
    ProducerRecord<byte[], byte[]> last = sent.get(sent.size() - 1);
    assertThat(new String(last.key(), StandardCharsets.UTF_8)).isEqualTo(ENTRY);
    assertThat(last.value()).as("the last record of %s is the tombstone", ENTRY).isNotNull();
  }
}
