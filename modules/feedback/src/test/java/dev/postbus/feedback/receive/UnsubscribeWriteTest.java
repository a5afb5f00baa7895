package dev.postbus.feedback.receive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.feedback.model.Refusal;
import dev.postbus.job.UnsubscribeToken;
import dev.postbus.suppression.SuppressionWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
  private MockProducer<byte[], byte[]> producer = producer(true);
  private SuppressionWriter writer = new SuppressionWriter(producer, "jobs.suppressions");
  private UnsubscribeEndpoint endpoint = endpoint();

  private static MockProducer<byte[], byte[]> producer(boolean autoComplete) {
    return new MockProducer<>(
        autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private UnsubscribeEndpoint endpoint() {
    return new UnsubscribeEndpoint(
        tokens, writer, new FeedbackMetrics(), Duration.ofSeconds(30), clock);
  }

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

  @Test
  void aDoubleClickWaitsForTheWriteInFlightAndGetsItsAnswer() throws Exception {
    producer = producer(false); // Kafka's ack held back until completeNext
    writer = new SuppressionWriter(producer, "jobs.suppressions");
    endpoint = endpoint();
    String token = tokens.token("news", "bob@example.net", "news-1");
    ExecutorService clicks = Executors.newFixedThreadPool(2);
    try {
      Future<Integer> first =
          clicks.submit(() -> endpoint.unsubscribe(token, () -> ONE_CLICK).status());
      await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 1);
      AtomicReference<Thread> secondThread = new AtomicReference<>();
      Future<Integer> second =
          clicks.submit(
              () -> {
                secondThread.set(Thread.currentThread());
                try {
                  return endpoint.unsubscribe(token, () -> ONE_CLICK).status();
                } catch (Refusal r) {
                  return r.status();
                }
              });
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  second.isDone()
                      || secondThread.get() != null
                          && secondThread.get().getState() == Thread.State.TIMED_WAITING);
      producer.completeNext();
      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(202);
      assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(202);
      assertThat(producer.history()).hasSize(1);
    } finally {
      clicks.shutdownNow();
    }
  }
}
