package dev.postbus.worker.reputation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.kafka.ReaderPacing;
import dev.postbus.kafka.TopicScan;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code <topic>.feedback} (every partition, no group) on its own thread and hands the
 * permanent bounces and the complaints tied to a job to the {@link BounceGuard}, which counts those
 * of recipients this worker sent. It starts at the topic's end: the sends before this start are not
 * in memory. A topic created after the start is read from its beginning. Logs name no address.
 *
 * <p>A failure to read (a topic it may not read, a broker gone) is tried again after a wait that
 * doubles up to 30 s, logged at most once a minute; meanwhile the guard is told the reader is down
 * (postbus_guard_feedback_reader_up 0). An error that ends the thread is logged and leaves it down.
 */
public final class FeedbackReports implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FeedbackReports.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration TOPIC_AGAIN = Duration.ofSeconds(5);

  /** How often the topic's partitions are asked again: a topic may grow. */
  private static final Duration RECHECK = Duration.ofMinutes(1);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Consumer<byte[], byte[]> consumer;
  private final ReaderPacing pacing;
  private final Duration recheck;
  private long checked = System.nanoTime(); // the reader thread's
  private final String topic;
  private final BounceGuard guard;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile boolean running = true;
  private volatile boolean died;
  private Thread thread;

  /**
   * @param kafka client settings; a group id is dropped
   */
  public FeedbackReports(Map<String, Object> kafka, String topic, BounceGuard guard) {
    this(TopicScan.consumer(kafka), topic, guard, ReaderPacing.standard(), RECHECK);
  }

  FeedbackReports(
      Consumer<byte[], byte[]> consumer, String topic, BounceGuard guard, ReaderPacing pacing) {
    this(consumer, topic, guard, pacing, RECHECK);
  }

  FeedbackReports(
      Consumer<byte[], byte[]> consumer,
      String topic,
      BounceGuard guard,
      ReaderPacing pacing,
      Duration recheck) {
    this.recheck = recheck;
    this.consumer = consumer;
    this.topic = topic;
    this.guard = guard;
    this.pacing = pacing;
  }

  /**
   * Assigns the topic's partitions at their end now, when it exists (so a report written after this
   * returns is read), then follows on a daemon thread.
   */
  public synchronized void start() {
    boolean assigned = assignAtStart();
    thread = new Thread(() -> run(assigned), "postbus-feedback-reports");
    thread.setDaemon(true);
    thread.start();
  }

  private boolean assignAtStart() {
    try {
      return assign(true);
    } catch (RuntimeException e) {
      log.warn("bounce-rate guard: could not read {} yet: {}", topic, e.toString());
      return false;
    }
  }

  private void run(boolean assignedAtStart) {
    try {
      follow(assignedAtStart);
    } catch (WakeupException e) {
      // closing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      died = true;
      pacing.dead();
      guard.feedbackReaderUp(false);
      log.error(
          "bounce-rate guard: the reader of {} stopped; no report is counted until a restart",
          topic,
          t);
    } finally {
      consumer.close(Duration.ofSeconds(5));
      stopped.countDown();
    }
  }

  private void follow(boolean assignedAtStart) throws InterruptedException {
    boolean assigned = assignedAtStart;
    while (running) {
      try {
        if (assigned) {
          poll();
        } else if (!(assigned = assign(false))) {
          closing.await(TOPIC_AGAIN.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (WakeupException e) {
        throw e;
      } catch (RuntimeException e) {
        failed(e);
      }
    }
  }

  private void failed(RuntimeException e) throws InterruptedException {
    ReaderPacing.Failure f = pacing.failed();
    guard.feedbackReaderUp(false);
    if (f.log()) {
      log.warn(
          "bounce-rate guard: reading {} failed ({} in a row; the guard counts no report meanwhile;"
              + " with ACLs the worker needs READ on it); trying again in {}: {}",
          topic,
          f.failures(),
          f.delay(),
          e.toString());
    }
    closing.await(f.delay().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether the reader's thread ended on an error. */
  boolean died() {
    return died;
  }

  /** Assigns every partition; false while the topic does not exist. */
  private boolean assign(boolean atStart) {
    List<TopicPartition> partitions;
    try {
      partitions = new TopicScan(consumer, Duration.ofSeconds(10)).partitions(topic);
    } catch (TopicScan.TimedOut e) {
      log.warn("bounce-rate guard: {}; asking again", e.getMessage());
      return false;
    }
    if (partitions.isEmpty()) {
      if (atStart) {
        log.info(
            "bounce-rate guard: {} does not exist yet (`postbus feedback` creates it); waiting for"
                + " it",
            topic);
      }
      return false;
    }
    consumer.assign(partitions);
    read();
    if (atStart) {
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position); // the end as of now, not as of the first poll
    } else {
      consumer.seekToBeginning(partitions);
    }
    log.info("bounce-rate guard: counting the bounces and complaints reported on {}", topic);
    return true;
  }

  private void poll() {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
      take(r.value());
    }
    read();
    if (System.nanoTime() - checked >= recheck.toNanos()) {
      checked = System.nanoTime();
      grow();
    }
  }

  /** Reads the partitions added to the topic since it was assigned, from their beginning. */
  private void grow() {
    List<TopicPartition> now = new TopicScan(consumer, Duration.ofSeconds(10)).partitions(topic);
    Set<TopicPartition> had = consumer.assignment();
    List<TopicPartition> added = now.stream().filter(tp -> !had.contains(tp)).toList();
    if (added.isEmpty()) {
      return;
    }
    List<TopicPartition> all = new ArrayList<>(had);
    all.addAll(added);
    consumer.assign(all);
    consumer.seekToBeginning(added);
    log.info(
        "bounce-rate guard: {} has {} partitions now; reading the new ones", topic, all.size());
  }

  private void read() {
    if (!pacing.up()) {
      log.info("bounce-rate guard: reading {} again", topic);
    }
    pacing.succeeded();
    guard.feedbackReaderUp(true);
  }

  /** One record: a permanent bounce or a complaint tied to a job and a recipient counts. */
  void take(byte[] value) {
    if (value == null) {
      return;
    }
    JsonNode n;
    try {
      n = JSON.readTree(value);
    } catch (IOException e) {
      return; // not a report: the receiver's records are JSON; nothing to count
    }
    if (n == null || !n.path("jobId").isTextual() || !n.path("recipient").isTextual()) {
      return; // uncorrelated or without an address: not tied to a send of ours
    }
    FeedbackWindow.Kind kind = kind(n);
    if (kind != null) {
      guard.reported(n.path("jobId").asText(), n.path("recipient").asText(), kind);
    }
  }

  static FeedbackWindow.Kind kind(JsonNode n) {
    String type = n.path("type").asText();
    if (type.equals("complaint")) {
      return FeedbackWindow.Kind.COMPLAINT;
    }
    if (type.equals("bounce") && n.path("bounceClass").asText().equals("permanent")) {
      return FeedbackWindow.Kind.BOUNCE;
    }
    return null;
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
