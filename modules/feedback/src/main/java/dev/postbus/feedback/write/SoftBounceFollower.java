package dev.postbus.feedback.write;

import dev.postbus.durations.Durations;
import dev.postbus.feedback.model.BounceClass;
import dev.postbus.feedback.model.Feedback;
import dev.postbus.feedback.model.FeedbackCodec;
import dev.postbus.feedback.model.FeedbackType;
import dev.postbus.job.MailAddress;
import dev.postbus.kafka.ReaderPacing;
import dev.postbus.kafka.TopicScan;
import dev.postbus.suppression.Addresses;
import dev.postbus.suppression.Source;
import dev.postbus.suppression.Suppression;
import dev.postbus.suppression.SuppressionWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code <topic>.feedback} (every partition, no group: every replica reads it all) and
 * counts each recipient's soft bounces in {@link SoftBounces}; the report that brings a recipient
 * to the limit puts it on the suppression list ({@code source: feedback}). At start-up it reads the
 * window back (the counts survive a restart and do not depend on which replica took a report);
 * those older reports only count: the suppression is written for a report read live, so one that an
 * operator removed is not written again by a restart. Logs name no address.
 */
public final class SoftBounceFollower implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SoftBounceFollower.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration TOPIC_AGAIN = Duration.ofSeconds(5);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String topic;
  private final SuppressionWriter writer;
  private final SoftBounces counts;
  private final Duration window;
  private final Clock clock;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final CountDownLatch closing = new CountDownLatch(1);
  private final AtomicLong suppressed = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final Map<TopicPartition, Long> liveFrom = new HashMap<>();
  private final ReaderPacing pacing = ReaderPacing.standard();
  private volatile boolean running = true;
  private Thread thread;

  public SoftBounceFollower(
      Map<String, Object> kafka,
      String topic,
      SuppressionWriter writer,
      SoftBounces counts,
      Duration window,
      Clock clock) {
    Map<String, Object> p = new HashMap<>(kafka);
    p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "postbus-feedback-soft-bounces");
    this.consumer = TopicScan.consumer(p);
    this.topic = topic;
    this.writer = writer;
    this.counts = counts;
    this.window = window;
    this.clock = clock;
  }

  /**
   * Assigns the topic's partitions now when it exists (so every report written after this returns
   * is read live), then follows on a daemon thread.
   */
  public synchronized SoftBounceFollower start() {
    boolean assigned = assignAtStart();
    thread = new Thread(() -> run(assigned), "postbus-feedback-soft-bounces");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  private boolean assignAtStart() {
    try {
      return assign();
    } catch (RuntimeException e) {
      log.warn("soft bounces: could not read {} yet: {}", topic, e.toString());
      return false;
    }
  }

  private void run(boolean assignedAtStart) {
    try {
      loop(assignedAtStart);
    } catch (WakeupException e) {
      // closing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      pacing.dead();
      log.error(
          "soft bounces: the reader of {} stopped; nothing is counted until a restart", topic, t);
    } finally {
      consumer.close(Duration.ofSeconds(5));
      stopped.countDown();
    }
  }

  private void loop(boolean assignedAtStart) throws InterruptedException {
    boolean assigned = assignedAtStart;
    while (running) {
      try {
        if (assigned) {
          follow();
          pacing.succeeded();
        } else if (!(assigned = assign())) {
          closing.await(TOPIC_AGAIN.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (WakeupException e) {
        throw e;
      } catch (RuntimeException e) {
        ReaderPacing.Failure f = pacing.failed();
        if (f.log()) {
          log.warn(
              "soft bounces: reading {} failed ({} in a row; nothing is counted meanwhile; with ACLs"
                  + " the receiver needs READ on it); trying again in {}: {}",
              topic,
              f.failures(),
              f.delay(),
              e.toString());
        }
        closing.await(f.delay().toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  /** Recipients whose soft bounces were forgotten early because the count was full. */
  public long evicted() {
    return counts.evicted();
  }

  /** Whether the follower reads: false after a failure until it reads again, or once it died. */
  public boolean up() {
    return pacing.up();
  }

  /** Assigns every partition, each from the start of the window; false while the topic is not. */
  private boolean assign() {
    List<TopicPartition> partitions;
    try {
      partitions = new TopicScan(consumer, Duration.ofSeconds(10)).partitions(topic);
    } catch (TopicScan.TimedOut e) {
      log.warn("soft bounces: {}; asking again", e.getMessage());
      return false;
    }
    if (partitions.isEmpty()) {
      return false;
    }
    consumer.assign(partitions);
    long since = clock.instant().minus(window).toEpochMilli();
    Map<TopicPartition, Long> times = new HashMap<>();
    partitions.forEach(tp -> times.put(tp, since));
    Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(times);
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
    for (TopicPartition tp : partitions) {
      OffsetAndTimestamp start = starts.get(tp);
      consumer.seek(tp, start == null ? ends.get(tp) : start.offset());
    }
    liveFrom.putAll(ends);
    log.info(
        "soft bounces: counting from {} ({} back), suppressing at the limit from reports read live",
        topic,
        window);
    return true;
  }

  private void follow() {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
      boolean live = r.offset() >= liveFrom.get(new TopicPartition(r.topic(), r.partition()));
      take(r, live);
    }
  }

  private void take(ConsumerRecord<byte[], byte[]> r, boolean live) {
    Feedback f;
    try {
      f = r.value() == null ? null : FeedbackCodec.read(r.value());
    } catch (IllegalArgumentException e) {
      long n = malformed.incrementAndGet();
      if (n == 1 || Long.bitCount(n) == 1) {
        log.warn("soft bounces: skipping a malformed record of {} ({} so far)", topic, n);
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

  /** Addresses put on the list for their soft bounces (acknowledged). */
  public long suppressed() {
    return suppressed.get();
  }

  @Override
  public synchronized void close() {
    running = false;
    closing.countDown();
    consumer.wakeup();
    if (thread == null) {
      consumer.close(Duration.ZERO);
      return;
    }
    try {
      stopped.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
