package dev.postbus.feedback.write;

import dev.postbus.durations.Durations;
import dev.postbus.feedback.model.BounceClass;
import dev.postbus.feedback.model.Feedback;
import dev.postbus.feedback.model.FeedbackCodec;
import dev.postbus.feedback.model.FeedbackType;
import dev.postbus.job.MailAddress;
import dev.postbus.kafka.TopicFollower;
import dev.postbus.kafka.TopicScan;
import dev.postbus.suppression.Addresses;
import dev.postbus.suppression.Source;
import dev.postbus.suppression.Suppression;
import dev.postbus.suppression.SuppressionWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code <topic>.feedback} (every partition, no group: every replica reads it all) and
 * counts each recipient's soft bounces in {@link SoftBounces}; the report that brings a recipient
 * to the limit puts it on the suppression list ({@code source: feedback}). At start-up it reads the
 * window back (the counts survive a restart and do not depend on which replica took a report);
 * those older reports only count: the suppression is written for a report read live, so one that an
 * operator removed is not written again by a restart. Partitions added to the topic later are read
 * too ({@link TopicFollower}), as is a partition that starts again at a lower offset (the topic
 * deleted and created again): live from there. Logs name no address.
 */
public final class SoftBounceFollower implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SoftBounceFollower.class);

  private static final byte[] TRANSIENT_BOUNCE =
      (FeedbackType.BOUNCE.label() + "/" + BounceClass.TRANSIENT.label())
          .getBytes(StandardCharsets.UTF_8);

  private final TopicFollower follower;
  private final SuppressionWriter writer;
  private final SoftBounces counts;
  private final Duration window;
  private final Clock clock;
  private final AtomicLong suppressed = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final Map<TopicPartition, Long> liveFrom = new ConcurrentHashMap<>();

  /** Each partition's next offset: a record before it means the partition started again. */
  private final Map<TopicPartition, Long> next = new ConcurrentHashMap<>();

  public SoftBounceFollower(
      Map<String, Object> kafka,
      String topic,
      SuppressionWriter writer,
      SoftBounces counts,
      Duration window,
      Clock clock) {
    this(consumer(kafka), topic, writer, counts, window, clock, Duration.ofMinutes(1));
  }

  SoftBounceFollower(
      Consumer<byte[], byte[]> consumer,
      String topic,
      SuppressionWriter writer,
      SoftBounces counts,
      Duration window,
      Clock clock,
      Duration recheck) {
    this.writer = writer;
    this.counts = counts;
    this.window = window;
    this.clock = clock;
    this.follower =
        TopicFollower.builder(consumer, topic, "soft bounces")
            .positions(this::seek)
            .recheck(recheck, System::nanoTime)
            .build(this::take);
  }

  private static Consumer<byte[], byte[]> consumer(Map<String, Object> kafka) {
    Map<String, Object> p = new HashMap<>(kafka);
    p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "postbus-feedback-soft-bounces");
    return TopicScan.consumer(p);
  }

  /**
   * Assigns the topic's partitions now when it exists (so every report written after this returns
   * is read live), then follows on a daemon thread.
   */
  public SoftBounceFollower start() {
    follower.start("postbus-feedback-soft-bounces");
    return this;
  }

  /** Recipients whose soft bounces were forgotten early because the count was full. */
  public long evicted() {
    return counts.evicted();
  }

  /** Whether the follower reads (or waits for the topic to exist): false while it cannot. */
  public boolean up() {
    return switch (follower.state()) {
      case NEW, WAITING, UP -> true;
      case DOWN, DEAD, CLOSED -> false;
    };
  }

  /**
   * Each partition from the start of the window; the reports at or past its end as of now are read
   * live (a partition added later is all live).
   */
  private void seek(
      Consumer<byte[], byte[]> consumer, Collection<TopicPartition> partitions, boolean atStart) {
    long since = clock.instant().minus(window).toEpochMilli();
    Map<TopicPartition, Long> times = new HashMap<>();
    partitions.forEach(tp -> times.put(tp, since));
    Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(times);
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
    for (TopicPartition tp : partitions) {
      OffsetAndTimestamp start = starts.get(tp);
      long from = start == null ? ends.get(tp) : start.offset();
      consumer.seek(tp, from);
      next.put(tp, from);
    }
    liveFrom.putAll(ends);
    log.info(
        "soft bounces: counting from {} back, suppressing at the limit from reports read live",
        window);
  }

  private void take(ConsumerRecord<byte[], byte[]> r) {
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    Long expected = next.put(tp, r.offset() + 1);
    if (expected != null && r.offset() < expected) {
      liveFrom.put(tp, r.offset());
      log.info(
          "soft bounces: {} starts again at offset {} (the topic was created again or truncated);"
              + " its reports are live",
          tp,
          r.offset());
    }
    Header kind = r.headers().lastHeader(FeedbackCodec.KIND_HEADER);
    if (kind != null && !Arrays.equals(kind.value(), TRANSIENT_BOUNCE)) {
      return; // not a soft bounce: not worth parsing (records written before the header: parsed)
    }
    Feedback f;
    try {
      f = r.value() == null ? null : FeedbackCodec.read(r.value());
    } catch (IllegalArgumentException e) {
      long n = malformed.incrementAndGet();
      if (n == 1 || Long.bitCount(n) == 1) {
        log.warn("soft bounces: skipping a malformed record of {} ({} so far)", r.topic(), n);
      }
      return;
    }
    if (f == null
        || f.type() != FeedbackType.BOUNCE
        || f.bounceClass() != BounceClass.TRANSIENT
        || f.recipient() == null
        || !MailAddress.isValid(f.recipient().strip())) {
      return;
    }
    boolean live = r.offset() >= liveFrom.getOrDefault(tp, 0L);
    String event = f.providerEventId() == null ? null : f.provider() + ":" + f.providerEventId();
    int count = counts.count(f.recipient().strip(), event, Instant.ofEpochMilli(r.timestamp()));
    if (live && counts.reached(count)) {
      suppress(f, count);
    }
  }

  private void suppress(Feedback f, int count) {
    Suppression s =
        new Suppression(
            f.recipient().strip(),
            count + " soft bounces within " + Durations.format(window),
            null,
            null,
            Source.FEEDBACK,
            clock.instant(),
            null);
    String domain = Addresses.domain(s.address());
    try {
      writer.add(
          s,
          (metadata, error) -> {
            if (error == null) {
              suppressed.incrementAndGet();
            } else {
              log.warn(
                  "soft bounces: could not suppress *@{} on {}: {}",
                  domain,
                  writer.topic(),
                  error.toString());
            }
          });
    } catch (RuntimeException e) {
      log.warn("soft bounces: could not suppress *@{}: {}", domain, e.toString());
    }
  }

  /** Records the follower failed on and skipped, plus an error that stopped it. */
  public long errors() {
    return follower.errors();
  }

  /** Addresses put on the list for their soft bounces (acknowledged). */
  public long suppressed() {
    return suppressed.get();
  }

  @Override
  public void close() {
    follower.close();
  }
}
