package dev.postbus.worker.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Where a new owner starts reading each ledger partition, from the commits' metadata. */
class LedgerTakeoverStartTest {

  private static final String LEDGER = "jobs.ledger";

  private static OffsetAndMetadata commit(long offset, int ledgerPartition, long mark) {
    return new OffsetAndMetadata(offset, new LedgerMark(LEDGER, 3, ledgerPartition, mark).format());
  }

  @Test
  void aCommitWithAMarkIsReadFromTheMark() {
    Map<Integer, Long> starts =
        LedgerIndex.starts(Map.of(new TopicPartition("jobs", 4), commit(10, 1, 777)), LEDGER, 3);

    assertThat(starts).containsExactly(Map.entry(1, 777L));
  }

  @Test
  void sourcesSharingALedgerPartitionStartAtTheLowestMark() {
    Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    committed.put(new TopicPartition("jobs", 1), commit(10, 1, 900));
    committed.put(new TopicPartition("jobs.retry.30s", 1), commit(3, 1, 850));
    committed.put(new TopicPartition("jobs", 4), commit(8, 1, 990));

    assertThat(LedgerIndex.starts(committed, LEDGER, 3)).containsExactly(Map.entry(1, 850L));
  }

  @Test
  void aCommitWithoutMarkIsReadByTimeAndSoIsItsWholeLedgerPartition() {
    Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    committed.put(new TopicPartition("jobs", 1), commit(10, 1, 900));
    committed.put(new TopicPartition("jobs", 4), new OffsetAndMetadata(8)); // an older worker's
    committed.put(new TopicPartition("jobs", 2), null); // never committed
    committed.put(new TopicPartition("jobs", 0), commit(5, 0, 12));

    assertThat(LedgerIndex.starts(committed, LEDGER, 3)).containsExactly(Map.entry(0, 12L));
  }

  @Test
  void garbageOrAMarkOfAnotherLedgerIsReadByTime() {
    Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    committed.put(new TopicPartition("jobs", 0), new OffsetAndMetadata(5, "postbus.ledger:1:x"));
    committed.put(
        new TopicPartition("jobs", 1),
        new OffsetAndMetadata(5, new LedgerMark("other.ledger", 3, 1, 5).format()));
    committed.put(
        new TopicPartition("jobs", 2),
        new OffsetAndMetadata(5, new LedgerMark(LEDGER, 6, 2, 5).format())); // partitions changed
    committed.put(
        new TopicPartition("jobs", 5),
        new OffsetAndMetadata(5, new LedgerMark(LEDGER, 3, 1, 5).format())); // 5 mod 3 is 2

    assertThat(LedgerIndex.starts(committed, LEDGER, 3)).isEmpty();
  }
}
