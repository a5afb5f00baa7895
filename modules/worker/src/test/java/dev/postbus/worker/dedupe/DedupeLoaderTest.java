package dev.postbus.worker.dedupe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.worker.ledger.LedgerOutcome;
import dev.postbus.worker.ledger.LedgerReader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** A read again of a held partition's dedupe index, planned on the loop and taken in later. */
class DedupeLoaderTest {

  private static final String LEDGER = "jobs.ledger";
  private static final int LEDGER_PARTITIONS = 4;
  private static final TopicPartition JOBS_3 = new TopicPartition("jobs", 3);
  private static final TopicPartition TIER_3 = new TopicPartition("jobs.retry.30s", 3);

  private final Clock clock = Clock.fixed(Instant.parse("2026-12-07T10:00:00Z"), ZoneOffset.UTC);
  private final Dedupe dedupe = new Dedupe(Duration.ofHours(1), clock, LEDGER_PARTITIONS);

  /** An empty ledger of four partitions. */
  private static final class EmptyLedger extends MockConsumer<byte[], byte[]> {
    EmptyLedger() {
      super("earliest");
      Map<TopicPartition, Long> zero = new HashMap<>();
      for (int p = 0; p < LEDGER_PARTITIONS; p++) {
        zero.put(new TopicPartition(LEDGER, p), 0L);
      }
      updateBeginningOffsets(zero);
      updateEndOffsets(zero);
    }

    @Override
    public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
        Map<TopicPartition, Long> query, Duration timeout) {
      return Map.of();
    }
  }

  private LedgerReader reader() {
    return new LedgerReader(new EmptyLedger(), LEDGER, LEDGER_PARTITIONS);
  }

  /**
   * jobs-3's read again reads ledger partition 3 whole; meanwhile tier-3 is taken on, its takeover
   * reads ledger partition 3 and its lanes add to that index: the read again, older, must not
   * replace it.
   */
  @Test
  void aReadAgainTakenInAfterATakeoverLoadedItsLedgerPartitionKeepsWhatIsKnownSince() {
    DedupeLoader loader = new DedupeLoader(reader(), dedupe, clock);
    DedupeLoader.Plan again = loader.plan(Set.of(JOBS_3), Set.of(JOBS_3));
    assertThat(again.fresh()).containsExactly(3);
    Map<Integer, DedupeIndex> built = loader.build(again, reader()); // no entry of the id yet

    loader.owned(Set.of(JOBS_3, TIER_3), Set.of(TIER_3)); // tier-3 taken on: index 3 loaded
    long id = Fingerprints.idHash("job-x");
    dedupe.recorded(TIER_3, 0, id, 5, LedgerOutcome.DELIVERED); // a lane delivered tier-3@0
    loader.apply(again, built);

    assertThat(dedupe.tryClaim("a second copy of the retry record", TIER_3, 1, id, 5, RETRIED))
        .as("job-x, delivered from tier-3@0 after the read again began")
        .isInstanceOf(Dedupe.Duplicate.class);
  }

  private static final Dedupe.Origin RETRIED = Dedupe.Origin.RETRIED;
}
