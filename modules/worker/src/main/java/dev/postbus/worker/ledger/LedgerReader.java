package dev.postbus.worker.ledger;

import dev.postbus.kafka.Start;
import dev.postbus.kafka.TopicScan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the send ledger with a consumer of its own (assigned, no group), from a point in time to
 * the end. Ledger partition {@code p mod n} holds the entries of partition {@code p} of every
 * consumed topic.
 */
public final class LedgerReader implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final int partitions;

  public LedgerReader(Consumer<byte[], byte[]> consumer, String topic, int partitions) {
    this.consumer = consumer;
    this.topic = topic;
    this.partitions = partitions;
  }

  /** The ledger partition that holds entries of records from partition {@code sourcePartition}. */
  public static int ledgerPartition(int sourcePartition, int ledgerPartitions) {
    return sourcePartition % ledgerPartitions;
  }

  /** Every entry about {@code sources} written since {@code since}. */
  public List<LedgerEntry> read(Collection<TopicPartition> sources, Instant since) {
    Set<TopicPartition> wanted =
        new TreeSet<>(java.util.Comparator.comparingInt(TopicPartition::partition));
    for (TopicPartition s : sources) {
      wanted.add(new TopicPartition(topic, ledgerPartition(s.partition(), partitions)));
    }
    Set<TopicPartition> sourceSet = Set.copyOf(sources);
    List<LedgerEntry> entries = new ArrayList<>();
    new TopicScan(consumer, TIMEOUT)
        .read(
            wanted,
            Start.at(since),
            r -> {
              LedgerEntry.decode(r.value())
                  .filter(e -> sourceSet.contains(e.source()))
                  .ifPresent(entries::add);
              return TopicScan.Step.NEXT;
            });
    consumer.assign(List.of());
    return entries;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
