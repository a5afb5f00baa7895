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
  private static final Instant WINDOW_START = NOW.minus(Duration.ofDays(1));
  private static final Instant KEPT_SINCE = NOW.minus(Duration.ofDays(2));

  /**
   * Ten entries (ledger offsets 0-9, about records 0-9 of jobs-0); the first written since the
   * window's start (NOW − 1 day) is at {@code firstInWindow}, the first written since the
   * retention's start (NOW − 2 days) at {@code firstKept}.
   */
  private static final class TenEntries extends MockConsumer<byte[], byte[]> {
    private final long firstKept;
    private final long firstInWindow;

    TenEntries(long firstInWindow) {
      this(0, firstInWindow);
    }

    TenEntries(long firstKept, long firstInWindow) {
      super("earliest");
      this.firstKept = firstKept;
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
      query.forEach(
          (tp, t) ->
              out.put(
                  tp,
                  new OffsetAndTimestamp(
                      t < WINDOW_START.toEpochMilli() ? firstKept : firstInWindow, t)));
      return out;
    }
  }

  @Test
  void aMarkOlderThanTheWindowIsStillReadFromTheMark() {
    // record 0 still uncommitted: its entry, written before the window, is what a takeover needs
    LedgerReader reader = new LedgerReader(new TenEntries(6), LEDGER.topic(), 1);
    List<Long> found = new ArrayList<>();

    reader.read(
        Map.of(JOBS, 0L), Map.of(0, 0L), WINDOW_START, KEPT_SINCE, (e, at) -> found.add(at));

    assertThat(found)
        .as("an uncommitted record's entry matters however old")
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
  }

  @Test
  void aMarkWithinTheWindowIsReadFromTheMark() {
    LedgerReader reader = new LedgerReader(new TenEntries(3), LEDGER.topic(), 1);
    List<Long> found = new ArrayList<>();

    reader.read(
        Map.of(JOBS, 0L), Map.of(0, 7L), WINDOW_START, KEPT_SINCE, (e, at) -> found.add(at));

    assertThat(found).containsExactly(7L, 8L, 9L);
  }

  @Test
  void aMarkOlderThanWhatRetentionKeepsIsReadFromTheFirstEntryKept() {
    LedgerReader reader = new LedgerReader(new TenEntries(4, 6), LEDGER.topic(), 1);
    List<Long> found = new ArrayList<>();

    reader.read(
        Map.of(JOBS, 0L), Map.of(0, 2L), WINDOW_START, KEPT_SINCE, (e, at) -> found.add(at));

    assertThat(found)
        .as("entries before it may be gone: not looked for")
        .containsExactly(4L, 5L, 6L, 7L, 8L, 9L);
  }

  @Test
  void withoutAMarkTheWindowIsRead() {
    LedgerReader reader = new LedgerReader(new TenEntries(4, 6), LEDGER.topic(), 1);
    List<Long> found = new ArrayList<>();

    reader.read(Map.of(JOBS, 0L), Map.of(), WINDOW_START, KEPT_SINCE, (e, at) -> found.add(at));

    assertThat(found).containsExactly(6L, 7L, 8L, 9L);
  }
}
