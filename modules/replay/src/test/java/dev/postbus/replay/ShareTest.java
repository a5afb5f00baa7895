package dev.postbus.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ShareTest {

  private static final TopicPartition P0 = new TopicPartition("jobs.dlt", 0);
  private static final TopicPartition P1 = new TopicPartition("jobs.dlt", 1);

  @Test
  void aShareRevokedAndNotYetGivenBackIsNotFinished() {
    Share share = new Share();
    share.assigned(List.of(P0, P1));
    share.ends(Map.of(P0, 5L, P1, 5L));
    share.revoked(List.of(P0, P1)); // eager rebalance: all taken back, the rejoin still under way

    assertThat(share.finished(tp -> 0L)).as("finished between revoke and assignment").isFalse();

    share.assigned(List.of(P1));
    assertThat(share.takeFresh()).containsExactly(P1);
    share.ends(Map.of(P1, 5L));
    assertThat(share.finished(tp -> 0L)).isFalse();
    assertThat(share.finished(tp -> 5L)).isTrue();
  }

  @Test
  void aMemberGivenNoPartitionsIsFinished() {
    Share share = new Share();
    share.assigned(List.of());
    assertThat(share.finished(tp -> 0L)).isTrue();
  }

  @Test
  void aStoppedPartitionIsDoneAndTakesNothingMore() {
    Share share = new Share();
    share.assigned(List.of(P0));
    share.ends(Map.of(P0, 5L));
    assertThat(share.takes(P0, 2)).isTrue();
    share.stop(P0);
    assertThat(share.takes(P0, 2)).isFalse();
    assertThat(share.finished(tp -> 2L)).isTrue();
    assertThat(share.takes(P0, 5)).isFalse();
  }
}
