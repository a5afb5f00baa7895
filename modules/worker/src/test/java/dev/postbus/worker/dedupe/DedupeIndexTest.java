package dev.postbus.worker.dedupe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.worker.ledger.LedgerOutcome;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class DedupeIndexTest {

  private static final TopicPartition JOBS = new TopicPartition("postbus.jobs", 3);
  private static final TopicPartition TIER = new TopicPartition("postbus.jobs.retry.30s", 3);

  @Test
  void findsWhatWasAddedWithItsPositionOutcomeAndFingerprint() {
    DedupeIndex index = new DedupeIndex(Duration.ofHours(1));
    index.add(11, 101, JOBS, 1L << 40, LedgerOutcome.DELIVERED, 1000);
    index.add(12, 0, TIER, 7, LedgerOutcome.RETRY, 1000);

    assertThat(index.find(11))
        .isEqualTo(new DedupeIndex.Original(JOBS, 1L << 40, LedgerOutcome.DELIVERED, 101));
    DedupeIndex.Original unknown = index.find(12);
    assertThat(unknown.source()).isEqualTo(TIER);
    assertThat(unknown.contentUnknown()).isTrue();
    assertThat(index.find(13)).isNull();
    assertThat(index.size()).isEqualTo(2);
  }

  @Test
  void mergingAddsTheIdsItDoesNotKnowAndKeepsThoseItDoes() {
    DedupeIndex index = new DedupeIndex(Duration.ofHours(1));
    index.add(11, 101, JOBS, 5, LedgerOutcome.DELIVERED, 1000);
    DedupeIndex read = new DedupeIndex(Duration.ofHours(1));
    read.add(11, 101, TIER, 9, LedgerOutcome.RETRY, 900);
    read.add(12, 102, TIER, 10, LedgerOutcome.RETRY, 900);
    read.add(12, 102, TIER, 11, LedgerOutcome.DELIVERED, 950);
    for (int i = 0; i < 3 * DedupeIndex.CHUNK; i++) {
      read.add(1000 + i, 7, TIER, 100 + i, LedgerOutcome.DELIVERED, 990);
    }

    long next = 0;
    int slices = 0;
    while (next >= 0) {
      next = index.addAbsent(read, next, DedupeIndex.CHUNK);
      slices++;
    }

    assertThat(slices).isEqualTo(4);
    assertThat(index.find(11))
        .isEqualTo(new DedupeIndex.Original(JOBS, 5, LedgerOutcome.DELIVERED, 101));
    assertThat(index.find(12))
        .isEqualTo(new DedupeIndex.Original(TIER, 11, LedgerOutcome.DELIVERED, 102));
    assertThat(index.find(1000 + 3 * DedupeIndex.CHUNK - 1)).isNotNull();
    assertThat(index.size()).isEqualTo(2 + 3 * DedupeIndex.CHUNK);
  }

  @Test
  void theLatestOutcomeOfAnIdStandsForItAndAConflictNever() {
    DedupeIndex index = new DedupeIndex(Duration.ofHours(1));
    index.add(11, 101, JOBS, 5, LedgerOutcome.RETRY, 1000);
    index.add(11, 101, TIER, 9, LedgerOutcome.DELIVERED, 2000);
    index.add(11, 202, JOBS, 12, LedgerOutcome.CONFLICT, 3000);

    assertThat(index.find(11))
        .isEqualTo(new DedupeIndex.Original(TIER, 9, LedgerOutcome.DELIVERED, 101));
    assertThat(index.size()).isEqualTo(1);
  }

  @Test
  void entriesOlderThanTheWindowGoByWholeChunksNeverEarly() {
    DedupeIndex index = new DedupeIndex(Duration.ofMillis(1000));
    for (int i = 0; i < DedupeIndex.CHUNK; i++) {
      index.add(i + 1, 1, JOBS, i, LedgerOutcome.DELIVERED, 0); // chunk 1, written at 0
    }
    index.add(-5, 1, JOBS, 99, LedgerOutcome.DELIVERED, 500); // chunk 2, at 500

    index.expire(1000); // 0 is not older than 1000 − 1000
    assertThat(index.find(1)).isNotNull();
    index.expire(1001);
    assertThat(index.find(1)).isNull();
    assertThat(index.find(DedupeIndex.CHUNK)).isNull();
    assertThat(index.find(-5)).isNotNull();
    assertThat(index.size()).isEqualTo(1);
    index.expire(1501);
    assertThat(index.find(-5)).isNull();
    assertThat(index.size()).isZero();
    index.add(-6, 1, JOBS, 100, LedgerOutcome.DELIVERED, 2000); // a new chunk after all went
    assertThat(index.find(-6).offset()).isEqualTo(100);
  }

  /** Against a map, with hashes crowded into few table slots: removals keep every run whole. */
  @Test
  void agreesWithAMapThroughGrowthReplacementsAndExpiry() {
    DedupeIndex index = new DedupeIndex(Duration.ofMillis(10));
    Map<Long, Long> model = new HashMap<>(); // id → offset, for ids still in the window
    Map<Long, Long> addedAt = new HashMap<>();
    SplittableRandom random = new SplittableRandom(7);
    long now = 0;
    for (int i = 0; i < 200_000; i++) {
      long id = random.nextLong(50_000) * 0x100000000L; // low bits equal: long probe runs
      now += random.nextInt(2) == 0 ? 0 : 1;
      index.add(id, 1, JOBS, i, LedgerOutcome.DELIVERED, now);
      model.put(id, (long) i);
      addedAt.put(id, now);
      if (i % 1000 == 0) {
        index.expire(now);
      }
    }
    long checked = 0;
    for (Map.Entry<Long, Long> e : model.entrySet()) {
      DedupeIndex.Original o = index.find(e.getKey());
      if (o != null) {
        assertThat(o.offset()).isEqualTo(e.getValue());
        checked++;
      } else {
        assertThat(addedAt.get(e.getKey())).isLessThan(now - 10);
      }
    }
    assertThat(checked).isGreaterThan(0);
    assertThat(index.size()).isEqualTo((int) checked);
  }

  @Test
  void aMillionEntriesTakeAtMost32MiB() {
    DedupeIndex index = new DedupeIndex(Duration.ofDays(1));
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 1_000_000; i++) {
      index.add(random.nextLong(), random.nextLong(), JOBS, i, LedgerOutcome.DELIVERED, 0);
    }
    assertThat(index.size()).isEqualTo(1_000_000);
    assertThat(index.retainedBytes()).isLessThanOrEqualTo(32L << 20);
  }
}
