package dev.postbus.replay;

import dev.postbus.job.JobClass;
import dev.postbus.job.JobLimits;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.kafka.DurableProducer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Republishes chosen dead letters to their class's topic ({@link #destination}): the original key
 * and payload, the publisher's headers, a {@code replay-count} one higher, and no attempt count (a
 * fresh start). A dead letter about some of a job's recipients is replayed for those recipients
 * only.
 *
 * <p>Each replay (a filter as given: {@link DeadLetterFilter#canonical}) has its own consumer group
 * on the dead-letter topic, so the same replay run twice publishes nothing the second time, and two
 * runs at once share its partitions rather than both republishing them ({@link ReplayGroup}). A run
 * keeps rows (no payload) of at most {@link Request#sample} dead letters; the rest are counted.
 */
public final class Replayer {

  /** Dead letters a result keeps by default, to show; the rest are only counted. */
  public static final int DEFAULT_SAMPLE = 20;

  /** The most dead letters republished between two commits of the group's offsets. */
  static final int BATCH = 500;

  /**
   * What to do: the filter, and the limits of one run.
   *
   * @param sample how many rows of matching dead letters the result keeps (the rest are counted;
   *     {@code onEach} sees every one)
   */
  public record Request(
      DeadLetterFilter filter,
      boolean dryRun,
      int limit,
      double ratePerSecond,
      int sample,
      Ends ends) {
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

    /** A run to the dead-letter topic's end as of when each partition is read. */
    public Request(
        DeadLetterFilter filter, boolean dryRun, int limit, double ratePerSecond, int sample) {
      this(filter, dryRun, limit, ratePerSecond, sample, null);
    }

    public Request(DeadLetterFilter filter, boolean dryRun, int limit, double ratePerSecond) {
      this(filter, dryRun, limit, ratePerSecond, DEFAULT_SAMPLE);
    }

    /** This request stopping at {@code ends}: what a preview saw, for its confirmation. */
    public Request upTo(Ends ends) {
      return new Request(filter, dryRun, limit, ratePerSecond, sample, ends);
    }
  }

  /**
   * The dead-letter topic's end offsets at one moment (a preview's): a run given them leaves what
   * arrived after, in every partition, for a later run of the same replay.
   *
   * @param offsets per partition, its end; a partition not in it (added since) has none to take
   */
  public record Ends(Map<Integer, Long> offsets) {
    public Ends {
      offsets = Map.copyOf(offsets);
    }

    boolean reached(DeadLetter d) {
      return d.record().offset() >= offsets.getOrDefault(d.record().partition(), 0L);
    }
  }

  /**
   * What a run did: counts, and the first matching dead letters (as rows: no payload).
   *
   * @param notReplayable matching dead letters that could not be replayed: their payload was left
   *     out of the dead-letter topic, or Kafka refused the republished record as too large
   * @param shared another run of the same replay took some of its partitions (and replayed them)
   * @param bulk matching dead letters of the bulk class (replayed to {@code <topic>.bulk})
   * @param unknownClass matching dead letters whose class header names neither class (replayed to
   *     the jobs topic)
   */
  public record Result(
      long scanned,
      long matched,
      long bulk,
      long unknownClass,
      List<DeadLetterRow> sample,
      long notReplayable,
      List<DeadLetterRow> notReplayableSample,
      boolean published,
      String group,
      boolean shared,
      List<String> missingTopics) {

    /** The destination topics matching dead letters would go to that do not exist (dry run). */
    public Result {
      missingTopics = List.copyOf(missingTopics);
    }
  }

  /** Not-replayable dead letters a result lists; the rest are counted. */
  public static final int NOT_REPLAYABLE_SHOWN = 100;

  /** Why a dead letter without its payload is not replayable. */
  public static final String PAYLOAD_LEFT_OUT =
      "its payload was too large for the dead-letter topic";

  /** Why a dead letter Kafka refused as too large is not replayable. */
  public static final String TOO_LARGE =
      "Kafka refused the republished job as too large (the jobs topic's max.message.bytes or the"
          + " replay's max.request.size)";

  /** Room for a republished job as large as job.max-bytes allows by default, with its headers. */
  static final int MAX_REQUEST_BYTES =
      Math.max(JobLimits.DEFAULT_MAX_PAYLOAD_BYTES, 1024 * 1024) + 64 * 1024;

  private final Map<String, Object> kafka;
  private final String jobsTopic;
  private final Map<String, Object> producerOnly;

  public Replayer(Map<String, Object> kafka, String jobsTopic) {
    this(kafka, jobsTopic, Map.of());
  }

  /**
   * {@code producerOnly}: settings of the republishing producer alone (a console's smaller {@code
   * buffer.memory}); the readers do not get them.
   */
  public Replayer(Map<String, Object> kafka, String jobsTopic, Map<String, Object> producerOnly) {
    this.kafka = Map.copyOf(kafka);
    this.jobsTopic = jobsTopic;
    this.producerOnly = Map.copyOf(producerOnly);
  }

  public String jobsTopic() {
    return jobsTopic;
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

  /** The dead-letter topic's end offsets now (a topic that does not exist is refused). */
  public Ends ends() {
    try (DeadLetterTopic dlt = new DeadLetterTopic(kafka, deadLetterTopic(), null)) {
      return new Ends(dlt.ends());
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
    tally.missing(missingTopics(List.of(jobsTopic, JobClass.BULK.topic(jobsTopic))));
    if (request.dryRun()) {
      try (DeadLetterTopic dlt = new DeadLetterTopic(kafka, deadLetterTopic(), group)) {
        long scanned = dlt.steps(d -> tally.take(d, null));
        return tally.result(scanned, false, group, false);
      }
    }
    int batch =
        request.ratePerSecond() > 0
            ? (int) Math.max(1, Math.min(BATCH, request.ratePerSecond() * 10))
            : BATCH;
    try (ReplayGroup members = new ReplayGroup(kafka, deadLetterTopic(), group, batch);
        KafkaProducer<byte[], byte[]> producer = producer()) {
      Sender sender = new Sender(producer, request.ratePerSecond(), tally::tooLarge);
      long scanned = members.run(d -> tally.take(d, sender), sender::awaitAll);
      return tally.result(scanned, true, group, members.shared());
    }
  }

  /** Counts a run's dead letters, keeps rows of the first few, and sends the replayable ones. */
  private final class Tally {
    private final Request request;
    private final Consumer<DeadLetter> onEach;
    private final List<DeadLetterRow> sample = new ArrayList<>();
    private final List<DeadLetterRow> notReplayableSample = new ArrayList<>();
    private long matched;
    private long bulk;
    private long unknownClass;
    private long notReplayable;
    private Set<String> missing = Set.of();
    private final Set<String> missingHit = new java.util.TreeSet<>();

    Tally(Request request, Consumer<DeadLetter> onEach) {
      this.request = request;
      this.onEach = onEach;
    }

    /**
     * {@code sender}: null for a dry run, which takes the same steps. A dead letter after {@code
     * until} stops its partition only when {@code until} is an age (it moves: a later run takes
     * it); past an instant it never matches, and what follows it in its partition may (workers'
     * clocks differ, so a partition's times are not in order).
     */
    ReplayGroup.Step take(DeadLetter d, Sender sender) {
      if (request.ends() != null && request.ends().reached(d)) {
        return ReplayGroup.Step.STOP_PARTITION; // arrived after the preview: a later run's
      }
      DeadLetterFilter filter = request.filter();
      if (filter.tooRecent(d)) {
        return filter.until().age() != null
            ? ReplayGroup.Step.STOP_PARTITION
            : ReplayGroup.Step.NEXT;
      }
      if (!filter.matches(d)) {
        return ReplayGroup.Step.NEXT;
      }
      if (matched >= request.limit()) {
        return ReplayGroup.Step.STOP;
      }
      if (d.payloadOmitted()) {
        notReplayable(d, PAYLOAD_LEFT_OUT);
        return ReplayGroup.Step.NEXT;
      }
      if (missing.contains(destination(d))) {
        if (sender != null) {
          throw new MissingTopicException(destination(d), jobsTopic, d.jobId(), matched);
        }
        missingHit.add(destination(d));
      }
      matched++;
      count(d, 1);
      if (sample.size() < request.sample()) {
        sample.add(DeadLetterRow.of(d, null));
      }
      onEach.accept(d);
      if (sender != null) {
        sender.send(d, replayRecord(d));
      }
      return ReplayGroup.Step.NEXT;
    }

    /** Destination topics that do not exist: a dead letter to one stops the run. */
    void missing(Set<String> topics) {
      this.missing = topics;
    }

    /** Kafka refused its republished record as too large: counted as not replayable instead. */
    void tooLarge(DeadLetter d) {
      matched--;
      count(d, -1);
      sample.removeIf(r -> r.position().equals(d.position()));
      notReplayable(d, TOO_LARGE);
    }

    private void count(DeadLetter d, int n) {
      if (!destination(d).equals(jobsTopic)) {
        bulk += n;
      } else if (unknownClass(d) != null) {
        unknownClass += n;
      }
    }

    private void notReplayable(DeadLetter d, String why) {
      notReplayable++;
      if (notReplayableSample.size() < NOT_REPLAYABLE_SHOWN) {
        notReplayableSample.add(DeadLetterRow.of(d, why));
      }
    }

    Result result(long scanned, boolean published, String group, boolean shared) {
      return new Result(
          scanned,
          matched,
          bulk,
          unknownClass,
          List.copyOf(sample),
          notReplayable,
          List.copyOf(notReplayableSample),
          published,
          group,
          shared,
          List.copyOf(missingHit));
    }
  }

  /** Sends at the rate asked and waits, at the end of each batch, for Kafka's answer to each. */
  private static final class Sender {
    private final KafkaProducer<byte[], byte[]> producer;
    private final long nanosPerRecord;
    private final Consumer<DeadLetter> tooLarge;
    private final List<Pending> sent = new ArrayList<>();
    private long nextSend = System.nanoTime();

    /** One republished dead letter of the batch, and Kafka's answer to come. */
    private record Pending(DeadLetter d, Future<RecordMetadata> answer) {}

    Sender(KafkaProducer<byte[], byte[]> producer, double ratePerSecond, Consumer<DeadLetter> tl) {
      this.producer = producer;
      this.nanosPerRecord = ratePerSecond > 0 ? (long) (1e9 / ratePerSecond) : 0;
      this.tooLarge = tl;
    }

    void send(DeadLetter d, ProducerRecord<byte[], byte[]> r) {
      if (nanosPerRecord > 0) {
        long wait = nextSend - System.nanoTime();
        if (wait > 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }
        nextSend = Math.max(nextSend, System.nanoTime()) + nanosPerRecord;
      }
      sent.add(new Pending(d, producer.send(r)));
    }

    /**
     * Waits for Kafka's answer to each record of the batch; a record refused as too large is
     * counted as not replayable (sending it again would not help), any other failure is unsent.
     */
    ReplayGroup.Unsent awaitAll() {
      producer.flush();
      Map<TopicPartition, Long> unsent = new HashMap<>();
      Exception cause = null;
      for (Pending p : sent) {
        try {
          p.answer().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RecordTooLargeException) {
            tooLarge.accept(p.d());
          } else {
            cause = unsent(unsent, p, cause, e);
          }
        } catch (Exception e) {
          cause = unsent(unsent, p, cause, e);
        }
      }
      sent.clear();
      return new ReplayGroup.Unsent(unsent, cause);
    }

    private static Exception unsent(
        Map<TopicPartition, Long> unsent, Pending p, Exception cause, Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      var r = p.d().record();
      unsent.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
      return cause != null ? cause : e;
    }
  }

  /**
   * The topic a dead letter is republished to: its class's, as its {@code postbus.class} header
   * says ({@code <topic>.bulk} for bulk); the jobs topic without the header (a dead letter of
   * before the classes) or with one that names neither class ({@link #unknownClass}).
   */
  public String destination(DeadLetter d) {
    return JobClass.BULK.wire().equals(classHeader(d)) ? JobClass.BULK.topic(jobsTopic) : jobsTopic;
  }

  /**
   * The dead letter's {@code postbus.class} header when it names neither class (it is replayed to
   * the jobs topic); null when it names one, or is absent.
   */
  public static String unknownClass(DeadLetter d) {
    String c = classHeader(d);
    if (c == null) {
      return null;
    }
    for (JobClass known : JobClass.values()) {
      if (known.wire().equals(c)) {
        return null;
      }
    }
    return c;
  }

  private static String classHeader(DeadLetter d) {
    Header h = d.record().headers().lastHeader(PostbusHeaders.JOB_CLASS);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
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
    return new ProducerRecord<>(
        destination(d), null, d.record().key(), d.record().value(), headers);
  }

  /**
   * Which of {@code topics} Kafka says do not exist; none when it cannot tell within {@link
   * #ADMIN_TIMEOUT} (the replay then finds out as before, from the producer). The describe is
   * bounded by that timeout and the admin closed without waiting, so an unreachable Kafka costs at
   * most that much more.
   */
  private Set<String> missingTopics(List<String> topics) throws InterruptedException {
    Set<String> missing = new HashSet<>();
    Admin admin = Admin.create(kafka);
    try {
      var answers =
          admin
              .describeTopics(
                  topics, new DescribeTopicsOptions().timeoutMs((int) ADMIN_TIMEOUT.toMillis()))
              .topicNameValues();
      for (var answer : answers.entrySet()) {
        try {
          answer.getValue().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          if (e.getCause() instanceof UnknownTopicOrPartitionException) {
            missing.add(answer.getKey());
          }
        } catch (TimeoutException e) {
          return Set.of();
        }
      }
    } finally {
      admin.close(Duration.ZERO); // nothing to wait for: a describe left over is abandoned
    }
    return Set.copyOf(missing);
  }

  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);

  private KafkaProducer<byte[], byte[]> producer() {
    Map<String, Object> p = DurableProducer.settings(kafka);
    producerOnly.forEach(p::putIfAbsent);
    // as the worker's dead-letter producer: room for a job as large as job.max-bytes allows
    p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(MAX_REQUEST_BYTES));
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }
}
