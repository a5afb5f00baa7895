package dev.postbus.worker.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The takeover read of one ledger partition, against Kafka's MockConsumer. */
class LedgerReaderTest {

  private static final TopicPartition LEDGER = new TopicPartition("jobs.ledger", 0);
  private static final TopicPartition JOBS = new TopicPartition("jobs", 0);
  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

  /**
   * Ten entries (ledger offsets 0-9, about records 0-9 of jobs-0); the first written since the
   * window's start is at {@code firstInWindow}.
   */
  private static final class TenEntries extends MockConsumer<byte[], byte[]> {
    private final long firstInWindow;

    TenEntries(long firstInWindow) {
      super("earliest");
      this.firstInWindow = firstInWindow;
      updateBeginningOffsets(Map.of(LEDGER, 0L));
      updateEndOffsets(Map.of(LEDGER, 10L));
    }

    @Override
    public synchronized void assign(Collection<TopicPartition> partitions) {
      super.assign(partitions);
      if (partitions.contains(LEDGER)) {
        for (long offset = 0; offset < 10; offset++) {
          addRecord(
              new ConsumerRecord<>(
                  LEDGER.topic(),
                  0,
                  offset,
                  null,
                  new LedgerEntry("jobs", 0, offset, "job-" + offset, 0L, null).encode()));
        }
      }
    }

    @Override
    public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
        Map<TopicPartition, Long> query, Duration timeout) {
      Map<TopicPartition, OffsetAndTimestamp> out = new HashMap<>();
      query.forEach((tp, t) -> out.put(tp, new OffsetAndTimestamp(firstInWindow, t)));
      return out;
    }
  }

  @Test
  void aMarkOlderThanTheWindowIsReadFromTheWindowsStart() {
    LedgerReader reader = new LedgerReader(new TenEntries(6), LEDGER.topic(), 1);
    List<Long> found = new ArrayList<>();

    reader.read(
        Map.of(JOBS, 0L), Map.of(0, 2L), NOW.minus(Duration.ofDays(1)), (e, at) -> found.add(at));

    assertThat(found)
        .as("entries written before the window no longer matter")
        .containsExactly(6L, 7L, 8L, 9L);
  }

  @Test
  void aMarkWithinTheWindowIsReadFromTheMark() {
    LedgerReader reader = new LedgerReader(new TenEntries(3), LEDGER.topic(), 1);
    List<Long> found = new ArrayList<>();

    reader.read(
        Map.of(JOBS, 0L), Map.of(0, 7L), NOW.minus(Duration.ofDays(1)), (e, at) -> found.add(at));

    assertThat(found).containsExactly(7L, 8L, 9L);
  }
}
