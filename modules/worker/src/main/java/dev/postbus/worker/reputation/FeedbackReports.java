package dev.postbus.worker.reputation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.kafka.ReaderPacing;
import dev.postbus.kafka.TopicFollower;
import dev.postbus.kafka.TopicScan;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * Follows {@code <topic>.feedback} (every partition, no group, through a {@link TopicFollower}) and
 * hands the permanent bounces and the complaints tied to a job to the {@link BounceGuard}, which
 * counts those of recipients this worker sent. It starts at the topic's end: the sends before this
 * start are not in memory. A topic created after the start, and partitions added to it later, are
 * read from their beginning. Logs name no address.
 *
 * <p>A failure to read (a topic it may not read, a broker gone) is tried again after a wait that
 * doubles up to 30 s, logged at most once a minute; meanwhile its {@link #state()} is DOWN (the
 * worker's health shows it as {@code feedbackReader}, and postbus_guard_feedback_reader_up is 0),
 * and the guard counts no report. Feedback is advisory: delivery goes on either way.
 */
public final class FeedbackReports implements AutoCloseable {

  /** How often the topic's partitions are asked again: a topic may grow. */
  private static final Duration RECHECK = Duration.ofMinutes(1);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final TopicFollower follower;
  private final BounceGuard guard;

  /**
   * @param kafka client settings; a group id is dropped
   */
  public FeedbackReports(Map<String, Object> kafka, String topic, BounceGuard guard) {
    this(
        TopicScan.consumer(kafka),
        topic,
        guard,
        ReaderPacing.standard(),
        RECHECK,
        System::nanoTime);
  }

  FeedbackReports(
      Consumer<byte[], byte[]> consumer,
      String topic,
      BounceGuard guard,
      ReaderPacing pacing,
      Duration recheck,
      LongSupplier nanos) {
    this.guard = guard;
    this.follower =
        TopicFollower.builder(consumer, topic, "bounce-rate guard")
            .positions(
                (c, partitions, atStart) -> {
                  if (atStart) {
                    c.seekToEnd(partitions);
                  } else {
                    c.seekToBeginning(partitions);
                  }
                })
            .pacing(pacing)
            .recheck(recheck, nanos)
            .build(r -> take(r.value()));
  }

  /**
   * Assigns the topic's partitions at their end now, when it exists (so a report written after this
   * returns is read), then follows on a daemon thread.
   */
  public void start() {
    follower.start("postbus-feedback-reports");
  }

  /** Where the reader is: UP, WAITING (for the topic), DOWN (failing, retrying), DEAD... */
  public TopicFollower.State state() {
    return follower.state();
  }

  /**
   * The reader's state for the worker's health: up, waiting (for the topic), down (failing, trying
   * again), dead (until a restart), starting or closed.
   */
  public String health() {
    TopicFollower.State s = follower.state();
    return s == TopicFollower.State.NEW ? "starting" : s.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether the guard sees the reports: reading, or waiting for a topic nobody wrote yet. */
  public boolean up() {
    return switch (follower.state()) {
      case NEW, WAITING, UP -> true;
      case DOWN, DEAD, CLOSED -> false;
    };
  }

  /** Records the reader failed on and skipped, plus an error that stopped it. */
  public long errors() {
    return follower.errors();
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
  public void close() {
    follower.close();
  }
}
