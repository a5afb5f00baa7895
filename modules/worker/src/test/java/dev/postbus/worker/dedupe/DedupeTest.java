package dev.postbus.worker.dedupe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.worker.ledger.LedgerOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class DedupeTest {

  private static final TopicPartition P = new TopicPartition("postbus.jobs", 4);
  private final Clock clock = Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC);
  private final Dedupe dedupe = new Dedupe(Duration.ofHours(1), clock, 3);

  Dedupe loaded() {
    dedupe.loaded(dedupe.ledgerPartition(P), new DedupeIndex(Duration.ofHours(1)));
    return dedupe;
  }

  @Test
  void aRecordOfAnIdFinishedBeforeIsADuplicateWithTheSameContentAndAConflictWithOther() {
    Dedupe d = loaded();
    Object first = "first";
    assertThat(d.tryClaim(first, P, 10, 77, 5)).isInstanceOf(Dedupe.Send.class);
    d.finished(first, LedgerOutcome.DELIVERED);

    Dedupe.Verdict same = d.tryClaim("again", P, 11, 77, 5);
    assertThat(same).isInstanceOf(Dedupe.Duplicate.class);
    assertThat(((Dedupe.Duplicate) same).original())
        .isEqualTo(new DedupeIndex.Original(P, 10, LedgerOutcome.DELIVERED, 5));
    assertThat(d.tryClaim("other", P, 12, 77, 6)).isInstanceOf(Dedupe.Conflict.class);
    assertThat(d.tryClaim("new id", P, 13, 78, 6)).isInstanceOf(Dedupe.Send.class);
  }

  @Test
  void anEntryOfUnknownContentCountsAsTheSameContent() {
    DedupeIndex index = new DedupeIndex(Duration.ofHours(1));
    index.add(77, 0, P, 10, LedgerOutcome.UNKNOWN, clock.millis());
    dedupe.loaded(dedupe.ledgerPartition(P), index);
    assertThat(dedupe.tryClaim("again", P, 11, 77, 5)).isInstanceOf(Dedupe.Duplicate.class);
  }

  @Test
  void aRecordWhoseIdIsBeingSentWaitsForItAndIsThenDecided() throws Exception {
    Dedupe d = loaded();
    assertThat(d.tryClaim("first", P, 10, 77, 5)).isInstanceOf(Dedupe.Send.class);
    assertThat(d.tryClaim("second", P, 11, 77, 5)).isNull();
    CompletableFuture<Dedupe.Verdict> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return d.claim("second", P, 11, 77, 5, () -> false);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(waiting).isNotDone();
    d.finished("first", LedgerOutcome.RETRY);
    assertThat(waiting.get(5, TimeUnit.SECONDS)).isInstanceOf(Dedupe.Duplicate.class);
  }

  @Test
  void aClaimLetGoWithoutAnOutcomeLetsTheNextRecordBeSentAndGivingUpEndsTheWait() throws Exception {
    Dedupe d = loaded();
    d.tryClaim("first", P, 10, 77, 5);
    assertThat(d.claim("second", P, 11, 77, 5, () -> true)).isNull();
    d.release("first");
    assertThat(d.claim("second", P, 11, 77, 5, () -> true)).isInstanceOf(Dedupe.Send.class);
    assertThat(d.tryClaim("second", P, 11, 77, 5)).isInstanceOf(Dedupe.Send.class); // its own
  }

  @Test
  void withoutTheIndexOfItsPartitionEveryRecordIsSentButNeverTwoAtOnce() {
    assertThat(dedupe.tryClaim("first", P, 10, 77, 5)).isInstanceOf(Dedupe.Send.class);
    assertThat(dedupe.tryClaim("second", P, 11, 77, 5)).isNull();
    dedupe.finished("first", LedgerOutcome.DELIVERED);
    assertThat(dedupe.tryClaim("second", P, 11, 77, 5)).isInstanceOf(Dedupe.Send.class);
  }

  /** Only another position is a second publication; the same record is the ledger's to skip. */
  @Test
  void theSameRecordAgainIsNotADuplicate() {
    Dedupe d = loaded();
    d.tryClaim("first", P, 10, 77, 5);
    d.finished("first", LedgerOutcome.DELIVERED);
    assertThat(d.tryClaim("redelivered", P, 10, 77, 5)).isInstanceOf(Dedupe.Send.class);
  }

  private static final Dedupe.Origin REPLAYED = Dedupe.Origin.REPLAYED;

  /** An index holding id 77 finished as {@code outcome} with content 5 (0: unknown), at P@10. */
  private Dedupe finishedAs(LedgerOutcome outcome, long fingerprint) {
    DedupeIndex index = new DedupeIndex(Duration.ofHours(1));
    index.add(77, fingerprint, P, 10, outcome, clock.millis());
    dedupe.loaded(dedupe.ledgerPartition(P), index);
    return dedupe;
  }

  @Test
  void aReplayOfAnIdDeliveredWithTheSameContentIsADuplicate() {
    Dedupe d = finishedAs(LedgerOutcome.DELIVERED, 5);
    Dedupe.Verdict v = d.tryClaim("replay", P, 11, 77, 5, REPLAYED);
    assertThat(v).isInstanceOf(Dedupe.Duplicate.class);
    assertThat(((Dedupe.Duplicate) v).original())
        .isEqualTo(new DedupeIndex.Original(P, 10, LedgerOutcome.DELIVERED, 5));
    assertThat(finishedAs(LedgerOutcome.DELIVERED, 0).tryClaim("old", P, 12, 77, 5, REPLAYED))
        .as("content unknown counts as the same, as for a publication")
        .isInstanceOf(Dedupe.Duplicate.class);
  }

  @Test
  void aReplayOfAnIdDeadLetteredOrRetriedIsSentAndClaimed() {
    for (LedgerOutcome o : new LedgerOutcome[] {LedgerOutcome.DEAD_LETTERED, LedgerOutcome.RETRY}) {
      Dedupe d = finishedAs(o, 5);
      assertThat(d.tryClaim("replay", P, 11, 77, 5, REPLAYED))
          .as("%s", o)
          .isInstanceOf(Dedupe.Send.class);
      assertThat(d.tryClaim("again", P, 12, 77, 5, REPLAYED)).as("claimed").isNull();
      d.release("replay");
    }
  }

  @Test
  void aConflictReplayOfAnIdDeliveredWithOtherContentIsSentNotAConflict() {
    Dedupe d = finishedAs(LedgerOutcome.DELIVERED, 5);
    assertThat(d.tryClaim("replay", P, 11, 77, 6, REPLAYED)).isInstanceOf(Dedupe.Send.class);
  }

  @Test
  void aReplayWhoseIdIsBeingSentWaitsAndIsADuplicateOnceThatSendDelivered() throws Exception {
    Dedupe d = finishedAs(LedgerOutcome.DEAD_LETTERED, 5);
    assertThat(d.tryClaim("first replay", P, 11, 77, 5, REPLAYED)).isInstanceOf(Dedupe.Send.class);
    CompletableFuture<Dedupe.Verdict> second =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return d.claim("second replay", P, 12, 77, 5, REPLAYED, () -> false);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(second).isNotDone();
    d.finished("first replay", LedgerOutcome.DELIVERED);
    Dedupe.Verdict v = second.get(5, TimeUnit.SECONDS);
    assertThat(v).isInstanceOf(Dedupe.Duplicate.class);
    assertThat(((Dedupe.Duplicate) v).original().offset()).as("the first replay's").isEqualTo(11);
  }

  private static final Dedupe.Origin RETRIED = Dedupe.Origin.RETRIED;

  @Test
  void aTierRecordIsJudgedAsAReplayADuplicateOnlyOfADeliveryWithTheSameContent() {
    Dedupe.Verdict v =
        finishedAs(LedgerOutcome.DELIVERED, 5).tryClaim("copy", P, 11, 77, 5, RETRIED);
    assertThat(v).isInstanceOf(Dedupe.Duplicate.class);
    assertThat(finishedAs(LedgerOutcome.DELIVERED, 0).tryClaim("old", P, 12, 77, 5, RETRIED))
        .as("content unknown counts as the same")
        .isInstanceOf(Dedupe.Duplicate.class);
    for (LedgerOutcome o : new LedgerOutcome[] {LedgerOutcome.RETRY, LedgerOutcome.DEAD_LETTERED}) {
      Dedupe d = finishedAs(o, 5);
      assertThat(d.tryClaim("tier", P, 11, 77, 5, RETRIED))
          .as("%s", o)
          .isInstanceOf(Dedupe.Send.class);
      assertThat(d.tryClaim("again", P, 12, 77, 5, RETRIED)).as("claimed").isNull();
      d.release("tier");
    }
    assertThat(finishedAs(LedgerOutcome.DELIVERED, 5).tryClaim("other", P, 13, 77, 6, RETRIED))
        .as("other content: sent, never a conflict")
        .isInstanceOf(Dedupe.Send.class);
  }

  @Test
  void aLookupDropsAtMostOneChunkLeftTheWindowSoItsWorkUnderTheLockIsBounded() {
    DedupeIndex index = new DedupeIndex(Duration.ofHours(1));
    long twoHoursAgo = clock.millis() - Duration.ofHours(2).toMillis();
    for (int i = 0; i < 3 * DedupeIndex.CHUNK; i++) {
      index.add(1000 + i, 5, P, i, LedgerOutcome.DELIVERED, twoHoursAgo);
    }
    dedupe.loaded(dedupe.ledgerPartition(P), index);

    dedupe.tryClaim("a", P, 1, 1, 5);
    assertThat(index.size()).isEqualTo(2 * DedupeIndex.CHUNK);
    dedupe.tryClaim("b", P, 2, 2, 5);
    dedupe.tryClaim("c", P, 3, 3, 5);
    assertThat(index.size()).as("caught up, a chunk a lookup").isZero();
  }
}
