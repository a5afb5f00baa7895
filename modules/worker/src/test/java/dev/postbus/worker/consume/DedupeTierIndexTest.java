package dev.postbus.worker.consume;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.worker.dedupe.Dedupe;
import dev.postbus.worker.dedupe.DedupeLoader;
import dev.postbus.worker.dispatch.DispatchQueue;
import dev.postbus.worker.ledger.LedgerReader;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * A retry tier's records are checked too: the dedupe index of the ledger partition of every
 * partition owned is read, a tier's partition owned without the jobs partition of its number too.
 */
class DedupeTierIndexTest {

  private static final String LEDGER = "jobs.ledger";

  /** An empty ledger of two partitions. */
  private static final class EmptyLedger extends MockConsumer<byte[], byte[]> {
    EmptyLedger() {
      super("earliest");
      updateBeginningOffsets(
          Map.of(new TopicPartition(LEDGER, 0), 0L, new TopicPartition(LEDGER, 1), 0L));
      updateEndOffsets(
          Map.of(new TopicPartition(LEDGER, 0), 0L, new TopicPartition(LEDGER, 1), 0L));
    }

    @Override
    public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
        Map<TopicPartition, Long> query, Duration timeout) {
      return Map.of();
    }
  }

  @Test
  void theIndexOfATiersPartitionIsReadWithoutTheJobsPartitionOfItsNumber() {
    Clock clock = Clock.systemUTC();
    Dedupe dedupe = new Dedupe(Duration.ofHours(1), clock, 2);
    LedgerSkips skips =
        new LedgerSkips(new LinkedBlockingQueue<>(), new DispatchQueue(64, 1 << 20, 20));
    skips.useDedupe(
        new DedupeLoader(new LedgerReader(new EmptyLedger(), LEDGER, 2), dedupe, clock));
    TopicPartition jobs0 = new TopicPartition("jobs", 0);
    TopicPartition tier1 = new TopicPartition("jobs.retry.30s", 1);

    skips.readDedupe(
        Map.of(jobs0, new OffsetAndMetadata(0), tier1, new OffsetAndMetadata(0)),
        List.of(jobs0, tier1));

    assertThat(dedupe.loaded())
        .as("ledger partitions 0 (jobs-0) and 1 (the tier's 1)")
        .containsExactlyInAnyOrder(0, 1);
  }
}
