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
 * about some of a job's recipients is replayed for those recipients only.
 *
 * <p>Each replay (a filter as given: {@link DeadLetterFilter#canonical}) has its own consumer group
 * on the dead-letter topic, so the same replay run twice publishes nothing the second time, and two
 * runs at once share its partitions rather than both republishing them ({@link ReplayGroup}). A run
 * holds at most {@link Request#sample} dead letters; the rest are counted.
 */
public final class Replayer {

  /** Dead letters a result keeps by default, to show; the rest are only counted. */
  public static final int DEFAULT_SAMPLE = 20;

  /** The most dead letters republished between two commits of the group's offsets. */
  static final int BATCH = 500;

  /**
   * What to do: the filter, and the limits of one run.
   *
   * @param sample how many of the matching dead letters the result keeps (the rest are counted)
   */
  public record Request(
      DeadLetterFilter filter, boolean dryRun, int limit, double ratePerSecond, int sample) {
    public Request {
      if (limit < 1 || ratePerSecond < 0 || sample < 0) {
        throw new IllegalArgumentException(
            "limit must be at least 1, rate and sample at least 0; got "
                + limit
                + ", "
                + ratePerSecond
                + ", "
                + sample);
      }
    }

    public Request(DeadLetterFilter filter, boolean dryRun, int limit, double ratePerSecond) {
      this(filter, dryRun, limit, ratePerSecond, DEFAULT_SAMPLE);
    }
  }

  /**
   * What a run did: counts, and the first matching dead letters.
   *
   * @param withoutPayload matching dead letters that could not be replayed because their payload
   *     was left out
   * @param shared another run of the same replay took some of its partitions (and replayed them)
   */
  public record Result(
      long scanned,
      long matched,
      List<DeadLetter> sample,
      long withoutPayload,
      List<DeadLetter> withoutPayloadSample,
      boolean published,
      String group,
      boolean shared) {}

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

  /**
   * Replays (or, for a dry run, previews from where the replay's group is, joining nothing) the
   * matching dead letters; {@code onEach} sees each one replayed, as it is.
   */
  public Result replay(Request request, Consumer<DeadLetter> onEach) throws Exception {
    String group = groupFor(request.filter());
    Tally tally = new Tally(request, onEach);
    if (request.dryRun()) {
      try (DeadLetterTopic dlt = new DeadLetterTopic(kafka, deadLetterTopic(), group)) {
        long scanned = dlt.read(d -> tally.take(d, null) != ReplayGroup.Step.STOP);
        return tally.result(scanned, false, group, false);
      }
    }
    int batch =
        request.ratePerSecond() > 0
            ? (int) Math.max(1, Math.min(BATCH, request.ratePerSecond() * 10))
            : BATCH;
    try (ReplayGroup members = new ReplayGroup(kafka, deadLetterTopic(), group, batch);
        KafkaProducer<byte[], byte[]> producer = producer()) {
      Sender sender = new Sender(producer, request.ratePerSecond());
      long scanned = members.run(d -> tally.take(d, sender), sender::awaitAll);
      return tally.result(scanned, true, group, members.shared());
    }
  }

  /** Counts a run's dead letters, keeps the first few, and sends the replayable ones. */
  private final class Tally {
    private final Request request;
    private final Consumer<DeadLetter> onEach;
    private final List<DeadLetter> sample = new ArrayList<>();
    private final List<DeadLetter> withoutPayloadSample = new ArrayList<>();
    private long matched;
    private long withoutPayload;

    Tally(Request request, Consumer<DeadLetter> onEach) {
      this.request = request;
      this.onEach = onEach;
    }

    /** {@code sender}: null for a dry run. */
    ReplayGroup.Step take(DeadLetter d, Sender sender) {
      if (request.filter().tooRecent(d)) {
        return ReplayGroup.Step.STOP_PARTITION; // not yet: a later run of this replay takes it
      }
      if (!request.filter().matches(d)) {
        return ReplayGroup.Step.NEXT;
      }
      if (matched >= request.limit()) {
        return ReplayGroup.Step.STOP;
      }
      if (d.payloadOmitted()) {
        withoutPayload++;
        keep(withoutPayloadSample, d);
        return ReplayGroup.Step.NEXT;
      }
      matched++;
      keep(sample, d);
      onEach.accept(d);
      if (sender != null) {
        sender.send(replayRecord(d));
      }
      return ReplayGroup.Step.NEXT;
    }

    private void keep(List<DeadLetter> list, DeadLetter d) {
      if (list.size() < request.sample()) {
        list.add(d);
      }
    }

    Result result(long scanned, boolean published, String group, boolean shared) {
      return new Result(
          scanned,
          matched,
          List.copyOf(sample),
          withoutPayload,
          List.copyOf(withoutPayloadSample),
          published,
          group,
          shared);
    }
  }

  /** Sends at the rate asked and waits, at the end of each batch, until Kafka has every record. */
  private static final class Sender {
    private final KafkaProducer<byte[], byte[]> producer;
    private final long nanosPerRecord;
    private final List<Future<RecordMetadata>> sent = new ArrayList<>();
    private long nextSend = System.nanoTime();

    Sender(KafkaProducer<byte[], byte[]> producer, double ratePerSecond) {
      this.producer = producer;
      this.nanosPerRecord = ratePerSecond > 0 ? (long) (1e9 / ratePerSecond) : 0;
    }

    void send(ProducerRecord<byte[], byte[]> r) {
      if (nanosPerRecord > 0) {
        long wait = nextSend - System.nanoTime();
        if (wait > 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }
        nextSend = Math.max(nextSend, System.nanoTime()) + nanosPerRecord;
      }
      sent.add(producer.send(r));
    }

    /** Every record of the batch in Kafka before the group moves on. */
    void awaitAll() {
      producer.flush();
      try {
        for (Future<RecordMetadata> f : sent) {
          f.get(30, TimeUnit.SECONDS);
        }
      } catch (Exception e) {
        throw new IllegalStateException(
            "Kafka did not take every republished dead letter of a batch; its place in the"
                + " dead-letter topic is not moved, so the next run retries it",
            e);
      }
      sent.clear();
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
}
