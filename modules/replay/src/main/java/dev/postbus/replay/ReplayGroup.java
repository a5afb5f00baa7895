package dev.postbus.replay;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the dead-letter topic as a member of one replay's consumer group, a batch at a time: each
 * batch is handled, made durable by the caller, then its offsets are committed with the group's
 * generation, before the next poll. So two runs of the same replay at once (two tabs, two
 * operators, a console and a CLI) never handle the same partition at once: Kafka gives each
 * partition to one member, a partition moves only in a poll, and everything handled before that
 * poll is already committed. A run whose membership was lost (Kafka unreachable longer than the
 * session timeout) cannot commit: it stops with an {@link IllegalStateException}.
 */
final class ReplayGroup implements AutoCloseable {

  /** What to do with one dead letter. */
  enum Step {
    /** Handled (replayed or skipped): go on. */
    NEXT,
    /** Not yet: leave it and the rest of its partition for a later run. */
    STOP_PARTITION,
    /** Leave it and stop the whole run (a limit was reached). */
    STOP
  }

  /** One dead letter's decision. */
  interface Handler {
    Step handle(DeadLetter d) throws Exception;
  }

  /**
   * Makes a batch durable (waits until Kafka has what was sent for it) and says what it did not
   * take: the group commits each partition up to its first record Kafka did not take.
   */
  interface Durable {
    Unsent await();
  }

  /**
   * What Kafka did not take of a batch.
   *
   * @param from per partition, the first offset whose republished record Kafka did not take
   * @param cause why, or null when {@code from} is empty
   */
  record Unsent(Map<TopicPartition, Long> from, Exception cause) {
    static final Unsent NONE = new Unsent(Map.of(), null);

    Unsent {
      from = Map.copyOf(from);
    }
  }

  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(60);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String topic;
  private final Share share = new Share();
  private int partitions;
  private boolean joined;
  private boolean shared;

  ReplayGroup(Map<String, Object> kafka, String topic, String group, int batch) {
    this.consumer =
        new KafkaConsumer<>(
            settings(kafka, group, batch),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    this.topic = topic;
  }

  /**
   * The settings of the group's consumer: {@code kafka} with the group, no auto commit, and never a
   * missing topic created by subscribing to it (a broker with auto.create.topics.enable would
   * create a typo'd dead-letter topic, and the replay would report "0 replayed").
   */
  static Map<String, Object> settings(Map<String, Object> kafka, String group, int batch) {
    Map<String, Object> props = new HashMap<>(kafka);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    props.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, DeadLetterTopic.FETCH_MAX_BYTES);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(batch));
    return props;
  }

  /**
   * Handles each dead letter of this member's partitions, up to their end as of when each was
   * assigned; {@code durable} runs after each batch, before its commit, which stops at what Kafka
   * did not take. Returns the records read.
   */
  long run(Handler each, Durable durable) throws Exception {
    var infos = consumer.partitionsFor(topic, TIMEOUT);
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException("topic " + topic + " does not exist");
    }
    partitions = infos.size();
    consumer.subscribe(List.of(topic), new Listener());
    long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
    long read = 0;
    while (true) {
      var records = consumer.poll(POLL);
      if (!joined) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "could not join the replay's consumer group on " + topic + " in " + JOIN_TIMEOUT);
        }
        continue;
      }
      takeFresh();
      Map<TopicPartition, Long> next = new HashMap<>();
      boolean stop = false;
      Exception failed = null;
      for (ConsumerRecord<byte[], byte[]> r : records) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (stop || !share.takes(tp, r.offset())) {
          continue;
        }
        read++;
        Step step;
        try {
          step = each.handle(DeadLetter.of(r));
        } catch (Exception e) {
          failed = e; // what was sent before it is still remembered below
          break;
        }
        if (step == Step.NEXT) {
          next.put(tp, r.offset() + 1);
        } else {
          next.put(tp, r.offset());
          share.stop(tp);
          consumer.pause(List.of(tp));
          stop = step == Step.STOP;
        }
      }
      Unsent unsent = durable.await();
      unsent.from().forEach((tp, offset) -> next.merge(tp, offset, Math::min));
      commit(next);
      if (failed != null) {
        if (unsent.cause() != null) {
          failed.addSuppressed(unsent.cause()); // Kafka refused one sent before it: not lost
        }
        throw failed;
      }
      if (unsent.cause() != null) {
        throw new IllegalStateException(
            "Kafka did not take every republished dead letter of a batch; the replay remembers"
                + " what it took, so the next run starts at "
                + unsent.from()
                + " (partition=offset of the dead-letter topic)",
            unsent.cause());
      }
      if (stop || finished()) {
        return read;
      }
    }
  }

  /** True when another run of the same replay held some of the partitions at some point. */
  boolean shared() {
    return shared;
  }

  private void takeFresh() {
    Set<TopicPartition> fresh = share.takeFresh();
    if (!fresh.isEmpty()) {
      share.ends(consumer.endOffsets(fresh, TIMEOUT));
    }
  }

  private boolean finished() {
    return share.finished(tp -> consumer.position(tp, TIMEOUT));
  }

  private void commit(Map<TopicPartition, Long> next) {
    if (next.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    next.forEach((tp, o) -> offsets.put(tp, new OffsetAndMetadata(o)));
    try {
      consumer.commitSync(offsets, TIMEOUT);
    } catch (CommitFailedException | RebalanceInProgressException e) {
      throw new IllegalStateException(
          "this replay lost its place in its consumer group before it could remember what it"
              + " republished (Kafka unreachable for longer than the session timeout?): the "
              + offsets.size()
              + " partitions of its last batch may be republished by the next run",
          e);
    }
  }

  /** Only notes what changed; all I/O happens in the loop, never in a rebalance. */
  private final class Listener implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      joined = true;
      share.assigned(partitions);
      if (consumer.assignment().size() < ReplayGroup.this.partitions) {
        shared = true;
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      share.revoked(partitions);
    }
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
