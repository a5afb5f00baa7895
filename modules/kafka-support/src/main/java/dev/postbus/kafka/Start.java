package dev.postbus.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/** Where a {@link TopicScan} starts in each partition. */
public sealed interface Start {

  /** The first record still in each partition. */
  static Start beginning() {
    return Beginning.INSTANCE;
  }

  /**
   * The first record written at or after {@code time}; none (nothing to read) when there is none.
   */
  static Start at(Instant time) {
    return new At(time);
  }

  /** The offsets the consumer's group committed; the beginning where it committed none. */
  static Start committed() {
    return Committed.INSTANCE;
  }

  /** The given offsets; the beginning of a partition not among them. */
  static Start offsets(Map<TopicPartition, Long> offsets) {
    return new Offsets(Map.copyOf(offsets));
  }

  /** Where the consumer is: a read after a read goes on where the last one ended. */
  static Start current() {
    return Current.INSTANCE;
  }

  /** Positions the (assigned) consumer on each partition. */
  void seek(
      Consumer<byte[], byte[]> consumer,
      Collection<TopicPartition> partitions,
      Map<TopicPartition, Long> end,
      Duration timeout);

  /** See {@link #beginning()}. */
  enum Beginning implements Start {
    INSTANCE;

    @Override
    public void seek(
        Consumer<byte[], byte[]> consumer,
        Collection<TopicPartition> partitions,
        Map<TopicPartition, Long> end,
        Duration timeout) {
      consumer.seekToBeginning(partitions);
    }
  }

  /** See {@link #at(Instant)}. */
  record At(Instant time) implements Start {
    public At {
      if (time == null) {
        throw new IllegalArgumentException("time must be given");
      }
    }

    @Override
    public void seek(
        Consumer<byte[], byte[]> consumer,
        Collection<TopicPartition> partitions,
        Map<TopicPartition, Long> end,
        Duration timeout) {
      Map<TopicPartition, Long> query = new HashMap<>();
      partitions.forEach(tp -> query.put(tp, Math.max(0, time.toEpochMilli())));
      Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, timeout);
      for (TopicPartition tp : partitions) {
        OffsetAndTimestamp o = found.get(tp);
        consumer.seek(tp, o == null ? end.get(tp) : o.offset());
      }
    }
  }

  /** See {@link #committed()}. */
  enum Committed implements Start {
    INSTANCE;

    @Override
    public void seek(
        Consumer<byte[], byte[]> consumer,
        Collection<TopicPartition> partitions,
        Map<TopicPartition, Long> end,
        Duration timeout) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          consumer.committed(Set.copyOf(partitions), timeout);
      for (TopicPartition tp : partitions) {
        OffsetAndMetadata c = committed.get(tp);
        if (c != null) {
          consumer.seek(tp, c.offset());
        } else {
          consumer.seekToBeginning(List.of(tp));
        }
      }
    }
  }

  /** See {@link #offsets(Map)}. */
  record Offsets(Map<TopicPartition, Long> offsets) implements Start {
    @Override
    public void seek(
        Consumer<byte[], byte[]> consumer,
        Collection<TopicPartition> partitions,
        Map<TopicPartition, Long> end,
        Duration timeout) {
      for (TopicPartition tp : partitions) {
        Long offset = offsets.get(tp);
        if (offset != null) {
          consumer.seek(tp, offset);
        } else {
          consumer.seekToBeginning(List.of(tp));
        }
      }
    }
  }

  /** See {@link #current()}. */
  enum Current implements Start {
    INSTANCE;

    @Override
    public void seek(
        Consumer<byte[], byte[]> consumer,
        Collection<TopicPartition> partitions,
        Map<TopicPartition, Long> end,
        Duration timeout) {}
  }
}
