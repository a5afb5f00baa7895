package dev.postbus.replay;

import dev.postbus.job.PostbusHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Republishes chosen dead letters to the jobs topic: the original key and payload, the publisher's
 * headers, a {@code replay-count} one higher, and no attempt count (a fresh start). A dead letter
 * about some of a job's recipients is replayed for those recipients only. Each filter has its own
 * consumer group on the dead-letter topic, so the same replay run twice publishes nothing the
 * second time.
 */
public final class Replayer {

  /** What to do: the filter, and the limits of one run. */
  public record Request(DeadLetterFilter filter, boolean dryRun, int limit, double ratePerSecond) {}

  /** What a run did. */
  /**
   * {@code withoutPayload}: matching dead letters that could not be replayed because their payload
   * was left out.
   */
  public record Result(
      long scanned,
      List<DeadLetter> matched,
      List<DeadLetter> withoutPayload,
      boolean published,
      String group) {}

  private final Map<String, Object> kafka;
  private final String jobsTopic;

  public Replayer(Map<String, Object> kafka, String jobsTopic) {
    this.kafka = Map.copyOf(kafka);
    this.jobsTopic = jobsTopic;
  }

  public String deadLetterTopic() {
    return jobsTopic + ".dlt";
  }

  /** The consumer group that remembers how far this filter has been replayed. */
  public String groupFor(DeadLetterFilter filter) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((jobsTopic + "|" + filter.canonical()).getBytes(StandardCharsets.UTF_8));
      return "postbus-replay-" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Lists matching dead letters from the start of the topic (no group, nothing remembered). */
  public List<DeadLetter> list(DeadLetterFilter filter, int limit) {
    List<DeadLetter> out = new ArrayList<>();
    try (DeadLetterTopic dlt = new DeadLetterTopic(kafka, deadLetterTopic(), null)) {
      dlt.read(
          d -> {
            if (filter.matches(d)) {
              out.add(d);
            }
            return out.size() < limit;
          });
    }
    return out;
  }

  public Result replay(Request request, Consumer<DeadLetter> onEach) throws Exception {
    String group = groupFor(request.filter());
    List<DeadLetter> matched = new ArrayList<>();
    List<DeadLetter> withoutPayload = new ArrayList<>();
    try (DeadLetterTopic dlt = new DeadLetterTopic(kafka, deadLetterTopic(), group);
        KafkaProducer<byte[], byte[]> producer = request.dryRun() ? null : producer()) {
      long nanosPerRecord =
          request.ratePerSecond() > 0 ? (long) (1e9 / request.ratePerSecond()) : 0;
      long[] nextSend = {System.nanoTime()};
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      long scanned =
          dlt.read(
              d -> {
                if (!request.filter().matches(d)) {
                  return true;
                }
                if (matched.size() >= request.limit()) {
                  return false;
                }
                if (d.payloadOmitted()) {
                  withoutPayload.add(d);
                  return true;
                }
                matched.add(d);
                onEach.accept(d);
                if (producer != null) {
                  pace(nextSend, nanosPerRecord);
                  sent.add(producer.send(replayRecord(d)));
                }
                return true;
              });
      if (producer != null) {
        producer.flush();
        for (Future<RecordMetadata> f : sent) {
          f.get(30, TimeUnit.SECONDS); // every record must be in Kafka before the group moves on
        }
        dlt.commit();
      }
      return new Result(scanned, matched, withoutPayload, producer != null, group);
    }
  }

  ProducerRecord<byte[], byte[]> replayRecord(DeadLetter d) {
    Headers headers = new RecordHeaders();
    for (Header h : d.record().headers()) {
      if (!PostbusHeaders.isPostbusHeader(h.key()) || h.key().equals(PostbusHeaders.RECIPIENTS)) {
        headers.add(h);
      }
    }
    headers.add(
        PostbusHeaders.REPLAY_COUNT,
        Integer.toString(d.replayCount() + 1).getBytes(StandardCharsets.UTF_8));
    return new ProducerRecord<>(jobsTopic, null, d.record().key(), d.record().value(), headers);
  }

  private KafkaProducer<byte[], byte[]> producer() {
    Map<String, Object> p = new HashMap<>(kafka);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static void pace(long[] nextSend, long nanosPerRecord) {
    if (nanosPerRecord == 0) {
      return;
    }
    long wait = nextSend[0] - System.nanoTime();
    if (wait > 0) {
      java.util.concurrent.locks.LockSupport.parkNanos(wait);
    }
    nextSend[0] = Math.max(nextSend[0], System.nanoTime()) + nanosPerRecord;
  }
}
