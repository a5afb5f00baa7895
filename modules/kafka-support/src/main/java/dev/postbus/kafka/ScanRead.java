package dev.postbus.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/** One {@link TopicScan#read}: its partitions, their end offsets, the ones not yet done. */
final class ScanRead {

  private static final Duration POLL = Duration.ofMillis(200);

  private final Consumer<byte[], byte[]> consumer;
  private final Set<TopicPartition> partitions;
  private final Duration timeout;
  private final boolean whileMoving;
  private final LongSupplier nanoTime;
  private final Set<TopicPartition> open = new LinkedHashSet<>();
  private final Set<TopicPartition> paused = new HashSet<>();
  private Map<TopicPartition, Long> end = Map.of();
  private long deadline;
  private long seen;

  ScanRead(
      Consumer<byte[], byte[]> consumer,
      Set<TopicPartition> partitions,
      Duration timeout,
      boolean whileMoving,
      LongSupplier nanoTime) {
    this.consumer = consumer;
    this.partitions = partitions;
    this.timeout = timeout;
    this.whileMoving = whileMoving;
    this.nanoTime = nanoTime;
    this.deadline = nanoTime.getAsLong() + timeout.toNanos();
  }

  long run(Start start, TopicScan.Visitor each) {
    if (!consumer.assignment().equals(partitions)) {
      consumer.assign(partitions);
    }
    end = consumer.endOffsets(partitions, remaining());
    start.seek(consumer, partitions, end, remaining());
    open.addAll(partitions);
    closeReached();
    try {
      while (!open.isEmpty()) {
        if (nanoTime.getAsLong() - deadline > 0) {
          throw timedOut(null);
        }
        ConsumerRecords<byte[], byte[]> records = consumer.poll(shorter(POLL, remaining()));
        if (whileMoving && !records.isEmpty()) {
          deadline = nanoTime.getAsLong() + timeout.toNanos();
        }
        if (!take(records, each)) {
          return seen;
        }
        closeReached();
      }
      leaveAtEnd();
      return seen;
    } finally {
      if (!paused.isEmpty()) {
        consumer.resume(paused);
      }
    }
  }

  /** Hands {@code each} the records before their partition's end; false when it says STOP. */
  private boolean take(ConsumerRecords<byte[], byte[]> records, TopicScan.Visitor each) {
    for (ConsumerRecord<byte[], byte[]> r : records) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      if (!open.contains(tp) || r.offset() >= end.get(tp)) {
        continue;
      }
      seen++;
      TopicScan.Step step = each.visit(r);
      if (step == TopicScan.Step.STOP) {
        return false;
      }
      if (step == TopicScan.Step.STOP_PARTITION) {
        open.remove(tp);
        paused.add(tp);
        consumer.pause(List.of(tp));
      }
    }
    return true;
  }

  private void closeReached() {
    open.removeIf(tp -> consumer.position(tp, remaining()) >= end.get(tp));
  }

  /** Records past the end were fetched and dropped: the next poll starts at the end again. */
  private void leaveAtEnd() {
    for (TopicPartition tp : partitions) {
      if (!paused.contains(tp) && consumer.position(tp, remaining()) > end.get(tp)) {
        consumer.seek(tp, end.get(tp));
      }
    }
  }

  private Duration remaining() {
    return Duration.ofNanos(Math.max(1_000_000, deadline - nanoTime.getAsLong()));
  }

  TopicScan.TimedOut timedOut(TimeoutException cause) {
    String topics =
        partitions.stream().map(TopicPartition::topic).distinct().collect(Collectors.joining(", "));
    List<String> behind = new ArrayList<>();
    for (TopicPartition tp : open) {
      behind.add("partition " + tp.partition() + " at " + where(tp) + " of " + end.get(tp));
    }
    return new TopicScan.TimedOut(
        "topic "
            + topics
            + " could not be read to its end "
            + (whileMoving
                ? "(nothing came for " + TopicScan.seconds(timeout) + ")"
                : "within " + TopicScan.seconds(timeout))
            + (behind.isEmpty() ? " (Kafka did not answer)" : ": " + String.join(", ", behind)),
        cause);
  }

  private String where(TopicPartition tp) {
    try {
      return Long.toString(consumer.position(tp, Duration.ZERO));
    } catch (RuntimeException e) {
      return "an unknown offset";
    }
  }

  private static Duration shorter(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
