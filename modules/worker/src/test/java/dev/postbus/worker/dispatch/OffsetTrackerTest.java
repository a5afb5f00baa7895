package dev.postbus.worker.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

  @Test
  void resultsForARevokedAssignmentAreRecognisedAsStale() {
    OffsetTracker tracker = new OffsetTracker();
    TopicPartition tp = new TopicPartition("t", 0);
    PartitionOffsets first = tracker.assign(tp);
    tracker.revoke(Set.of(tp));
    PartitionOffsets second = tracker.assign(tp);
    assertThat(first.revoked()).isTrue();
    assertThat(tracker.isCurrent(tp, first)).isFalse();
    assertThat(tracker.isCurrent(tp, second)).isTrue();
  }

  @Test
  void trackerCommitsOnlyPartitionsThatMoved() {
    OffsetTracker tracker = new OffsetTracker();
    TopicPartition a = new TopicPartition("t", 0);
    TopicPartition b = new TopicPartition("t", 1);
    tracker.assign(a).track(0);
    tracker.assign(b).track(0);
    tracker.get(a).complete(0);
    assertThat(tracker.commitDue()).containsOnlyKeys(a, b);
    tracker.committed(java.util.Map.of(a, new OffsetAndMetadata(1), b, new OffsetAndMetadata(0)));
    assertThat(tracker.commitDue()).isEmpty();
  }
}
