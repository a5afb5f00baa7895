package dev.postbus.worker.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.junit.jupiter.api.Test;

/** Each worker's share of the group's rate, as the jobs topic grows. */
class ShareReportTest {

  private static final String JOBS = "jobs";

  /** A worker: its consumer (whose metadata says how many partitions the topic has) and share. */
  private static final class Member {
    final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    final ShareReport report = new ShareReport(consumer, List.of(JOBS));
    double share = -1;

    Member() {
      report.listen((owned, total) -> share = (double) owned / total);
    }

    void topicHas(int partitions) {
      consumer.updatePartitions(
          JOBS,
          IntStream.range(0, partitions)
              .mapToObj(p -> new PartitionInfo(JOBS, p, null, null, null))
              .toList());
    }
  }

  @Test
  void afterTheJobsTopicGrowsTheSharesOfTheGroupStillAddUpToAtMostOne() {
    Member a = new Member();
    Member b = new Member();
    a.topicHas(4);
    b.topicHas(4);
    a.report.report(2);
    b.report.report(2);
    assertThat(a.share + b.share).isEqualTo(1.0);

    a.topicHas(8); // partitions added: the group rebalances over 8
    b.topicHas(8);
    a.report.report(4);
    b.report.report(4);

    assertThat(a.share + b.share)
        .as("each share is of every partition now, not of the count read first")
        .isLessThanOrEqualTo(1.0);
  }

  /**
   * A member whose metadata had not seen the new partitions at the rebalance corrects its share
   * from the loop once it has, without waiting for the next rebalance.
   */
  @Test
  void aPartitionCountLearntAfterTheRebalanceCorrectsTheShareFromTheLoop() {
    Member a = new Member();
    a.topicHas(4);
    a.report.report(4); // stale metadata: the topic has 8 partitions, 4 of them owned here
    assertThat(a.share).isEqualTo(1.0);

    a.topicHas(8);
    a.report.recheck(4);

    assertThat(a.share).isEqualTo(0.5);
  }
}
