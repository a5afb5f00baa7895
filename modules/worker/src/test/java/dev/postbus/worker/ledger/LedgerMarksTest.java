package dev.postbus.worker.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class LedgerMarksTest {

  private static final TopicPartition JOBS_1 = new TopicPartition("jobs", 1);

  private final LedgerPositions positions = new LedgerPositions(4);
  private final LedgerMarks marks = new LedgerMarks("jobs.ledger", positions);

  private long markOf(long committed) {
    return LedgerMark.parse(marks.metadata(JOBS_1, committed)).orElseThrow().offset();
  }

  @Test
  void aCommitRightAfterTakeoverIsMarkedWhereTheReadEnded() {
    marks.assigned(JOBS_1, 100, 5_000, Long.MAX_VALUE, -1, 4_000);

    LedgerMark m = LedgerMark.parse(marks.metadata(JOBS_1, 100)).orElseThrow();

    assertThat(m).isEqualTo(new LedgerMark("jobs.ledger", 4, 1, 5_000));
  }

  @Test
  void theMarkOfACommitIsWhereTheLedgerReachedBeforeItsFirstRecordWasHandedOut() {
    marks.assigned(JOBS_1, 100, 5_000, Long.MAX_VALUE, -1, 4_000);
    positions.acked(1, 5_009);
    marks.note(JOBS_1, 120); // records 100..119 handed out; the ledger reaches 5_010
    positions.acked(1, 5_029);
    marks.note(JOBS_1, 150); // 120..149 handed out; it reaches 5_030

    assertThat(markOf(110)).as("record 110 was handed out before the first note").isEqualTo(5_000);
    assertThat(markOf(120)).as("120 was handed out after the first note").isEqualTo(5_010);
    assertThat(markOf(135)).isEqualTo(5_010);
    assertThat(markOf(150)).as("all finished: whatever comes later").isEqualTo(5_030);
  }

  @Test
  void entriesTheTakeoverReadFoundPinTheMarkUntilTheCommitPassesThem() {
    // an earlier owner's entries for records 104 and 130, at ledger offsets 4_990 and 4_995
    marks.assigned(JOBS_1, 100, 5_000, 4_990, 130, 4_000);
    positions.acked(1, 5_100);
    marks.note(JOBS_1, 140);

    assertThat(markOf(125)).isEqualTo(4_990);
    assertThat(markOf(130)).isEqualTo(4_990);
    assertThat(markOf(131)).isEqualTo(5_000);
    assertThat(markOf(140)).isEqualTo(5_101);
  }

  @Test
  void notesNoLaterCommitCanUseAreDropped() {
    marks.assigned(JOBS_1, 100, 5_000, Long.MAX_VALUE, -1, 4_000);
    positions.acked(1, 5_009);
    marks.note(JOBS_1, 120);
    positions.acked(1, 5_029);
    marks.note(JOBS_1, 150);

    marks.committed(JOBS_1, 130, marks.metadata(JOBS_1, 130), marks.assignment(JOBS_1));

    assertThat(markOf(130)).isEqualTo(5_010);
    assertThat(markOf(150)).isEqualTo(5_030);
  }

  @Test
  void aPartitionTakenOverWithoutAMarkIsWantedUntilACommitWithOneIsAcknowledged() {
    TopicPartition tier = new TopicPartition("jobs.retry.30s", 1);
    marks.assigned(JOBS_1, 100, 5_000, Long.MAX_VALUE, -1, 4_000);
    marks.assigned(tier, 0, 5_000, Long.MAX_VALUE, -1, -1); // never committed

    assertThat(marks.unmarked()).as("its ledger partition would be read by time, whole").isTrue();
    marks.committed(tier, 0, "", marks.assignment(tier)); // a commit without one does not do
    assertThat(marks.unmarked()).isTrue();
    marks.committed(tier, 0, marks.metadata(tier, 0), marks.assignment(tier));
    assertThat(marks.unmarked()).isFalse();
  }

  @Test
  void anIdlePartitionsMarkFollowsTheLedger() {
    marks.assigned(JOBS_1, 100, 5_000, Long.MAX_VALUE, -1, 4_000);
    positions.acked(1, 7_000); // entries of other partitions sharing its ledger partition

    marks.note(JOBS_1, -1); // nothing handed out since the takeover

    assertThat(markOf(100)).as("whatever comes from offset 100 comes later").isEqualTo(7_001);
  }

  @Test
  void anIdlePartitionTakenOverWithAMarkIsCommittedAgainOnceItsMarkLags() {
    TopicPartition tier = new TopicPartition("jobs.retry.30s", 1);
    marks.assigned(tier, 0, 5_000, Long.MAX_VALUE, -1, 5_000); // its commit carried mark 5_000
    positions.acked(1, 5_000 + LedgerMarks.LAG_LIMIT); // other partitions' entries

    assertThat(marks.lags(tier, -1, 0))
        .as("never committed by this owner, its mark ages: every later takeover would read from it")
        .isTrue();
  }

  @Test
  void aPartitionNotTakenOverHasNoMark() {
    assertThat(marks.metadata(JOBS_1, 10)).isEmpty();
  }

  @Test
  void aMarkIsReadBackAndAnythingElseIsNone() {
    LedgerMark m = new LedgerMark("jobs.ledger", 6, 3, 123_456);

    assertThat(LedgerMark.parse(m.format())).contains(m);
    assertThat(LedgerMark.parse(null)).isEmpty();
    assertThat(LedgerMark.parse("")).isEmpty();
    assertThat(LedgerMark.parse("postbus.ledger:1:jobs.ledger:6:3")).isEmpty();
    assertThat(LedgerMark.parse("postbus.ledger:1:jobs.ledger:6:9:12"))
        .as("partition of 6")
        .isEmpty();
    assertThat(LedgerMark.parse("postbus.ledger:1:jobs.ledger:x:3:12")).isEmpty();
    assertThat(LedgerMark.parse("postbus.ledger:1:jobs.ledger:6:3:-5")).isEmpty();
    assertThat(LedgerMark.parse("someone else's note")).isEmpty();
  }

  @Test
  void aLateAcknowledgementOfAnEarlierAssignmentsCommitCountsForNothing() {
    marks.assigned(JOBS_1, 100, 5_000, Long.MAX_VALUE, -1, 4_000);
    Object first = marks.assignment(JOBS_1);
    String earlier = marks.metadata(JOBS_1, 100); // committed, its acknowledgement on its way
    marks.forget(java.util.List.of(JOBS_1));
    marks.assigned(JOBS_1, 100, 5_000, Long.MAX_VALUE, -1, -1); // back, under an older commit

    marks.committed(JOBS_1, 100, earlier, first);

    assertThat(marks.unmarked())
        .as("the new assignment has no commit with a mark acknowledged yet")
        .isTrue();
    marks.committed(JOBS_1, 100, marks.metadata(JOBS_1, 100), marks.assignment(JOBS_1));
    assertThat(marks.unmarked()).isFalse();
  }
}
