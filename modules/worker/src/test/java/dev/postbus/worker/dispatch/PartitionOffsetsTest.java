package dev.postbus.worker.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PartitionOffsetsTest {

  @Test
  void nothingToCommitBeforeAnyRecord() {
    assertThat(new PartitionOffsets().commitDue()).isEmpty();
  }

  @Test
  void committableOffsetIsTheLowestUnfinished() {
    PartitionOffsets p = new PartitionOffsets();
    for (long o = 10; o < 15; o++) {
      p.track(o);
    }
    p.complete(11);
    p.complete(13);
    assertThat(p.commitDue()).hasValue(10);
    p.complete(10);
    assertThat(p.commitDue()).hasValue(12);
    p.complete(12);
    assertThat(p.commitDue()).hasValue(14);
    p.complete(14);
    assertThat(p.commitDue()).hasValue(15);
  }

  @Test
  void outOfOrderCompletionInEveryOrderEndsOnePastTheLast() {
    int n = 6;
    java.util.List<Long> offsets = new java.util.ArrayList<>();
    for (long o = 0; o < n; o++) {
      offsets.add(o);
    }
    for (int seed = 0; seed < 50; seed++) {
      PartitionOffsets p = new PartitionOffsets();
      offsets.forEach(p::track);
      java.util.List<Long> order = new java.util.ArrayList<>(offsets);
      java.util.Collections.shuffle(order, new java.util.Random(seed));
      long lowestOpen = 0;
      java.util.Set<Long> done = new java.util.HashSet<>();
      for (long o : order) {
        p.complete(o);
        done.add(o);
        while (done.contains(lowestOpen)) {
          lowestOpen++;
        }
        assertThat(p.commitDue()).hasValue(lowestOpen);
      }
    }
  }

  @Test
  void gapsInOffsetsAreSkipped() {
    PartitionOffsets p = new PartitionOffsets();
    p.track(3);
    p.track(7);
    p.complete(3);
    assertThat(p.commitDue()).hasValue(7);
    p.complete(7);
    assertThat(p.commitDue()).hasValue(8);
  }

  @Test
  void sameOffsetIsNotCommittedTwice() {
    PartitionOffsets p = new PartitionOffsets();
    p.track(0);
    p.complete(0);
    assertThat(p.commitDue()).hasValue(1);
    p.committed(1);
    assertThat(p.commitDue()).isEqualTo(OptionalLong.empty());
  }

  @Test
  void abandonedRecordsHoldTheCommitButAreNotAwaited() {
    PartitionOffsets p = new PartitionOffsets();
    p.track(0);
    p.track(1);
    p.track(2);
    p.abandon(1);
    p.abandon(2);
    assertThat(p.inFlight()).isEqualTo(1);
    p.complete(0);
    assertThat(p.inFlight()).isZero();
    assertThat(p.commitDue()).hasValue(1);
  }

  @Test
  void offsetsGoingBackwardsAreABug() {
    PartitionOffsets p = new PartitionOffsets();
    p.track(5);
    assertThatThrownBy(() -> p.track(4)).isInstanceOf(IllegalStateException.class);
  }
}
