package dev.postbus.worker.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.job.JobClass;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class DispatchQueueClassesTest {

  private static final TopicPartition JOBS = new TopicPartition("jobs", 0);
  private static final TopicPartition BULK = new TopicPartition("jobs.bulk", 0);

  private static Delivery delivery(TopicPartition tp, long offset, JobClass c) {
    return new Delivery(
        tp, offset, null, new byte[10], new RecordHeaders(), 0L, new PartitionOffsets(), c);
  }

  private static Delivery bulk(long offset) {
    return delivery(BULK, offset, JobClass.BULK);
  }

  private static Delivery transactional(long offset) {
    return delivery(JOBS, offset, JobClass.TRANSACTIONAL);
  }

  @Test
  void aTransactionalJobQueuedBehindBulkOnesIsTakenFirst() throws Exception {
    DispatchQueue q = new DispatchQueue(64, 1 << 20, 10, new ClassPick(8, 2, 0));
    for (int i = 0; i < 5; i++) {
      q.add(bulk(i));
    }
    q.add(transactional(0));
    assertThat(q.take(Duration.ZERO)).hasToString("jobs-0@0");
    assertThat(q.take(Duration.ZERO).bulk()).isTrue();
  }

  @Test
  void bulkJobsHeldByLanesNeverExceedTheLanesNotKeptForTransactionalMail() throws Exception {
    DispatchQueue q = new DispatchQueue(64, 1 << 20, 10, new ClassPick(8, 2, 0.1));
    List<Delivery> held = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      q.add(bulk(i));
    }
    Delivery d;
    while ((d = q.take(Duration.ZERO)) != null) {
      held.add(d);
    }
    assertThat(held).hasSize(6);
    assertThat(q.bulkHeld()).isEqualTo(6);
    q.add(transactional(0));
    assertThat(q.take(Duration.ZERO)).as("a kept lane takes it at once").hasToString("jobs-0@0");
    q.done(held.get(0));
    assertThat(q.take(Duration.ZERO)).as("a bulk lane free again").hasToString("jobs.bulk-0@6");
  }

  @Test
  void aLaneWaitingForBulkRoomWakesWhenABulkJobIsDone() throws Exception {
    DispatchQueue q = new DispatchQueue(64, 1 << 20, 10, new ClassPick(2, 1, 0));
    q.add(bulk(0));
    q.add(bulk(1));
    Delivery first = q.take(Duration.ZERO);
    assertThat(q.take(Duration.ZERO)).isNull();
    Thread done =
        new Thread(
            () -> {
              q.done(first);
            });
    done.start();
    assertThat(q.take(Duration.ofSeconds(10))).hasToString("jobs.bulk-0@1");
    done.join();
  }

  @Test
  void withTheClassesOffTheQueueIsFirstComeFirstServed() throws Exception {
    DispatchQueue q = new DispatchQueue(64, 1 << 20, 10);
    q.add(bulk(0));
    q.add(transactional(0));
    assertThat(q.take(Duration.ZERO)).hasToString("jobs.bulk-0@0");
    assertThat(q.take(Duration.ZERO)).hasToString("jobs-0@0");
  }

  @Test
  void withTheClassesOnOnlyTransactionalJobsFillTheQueueAndBulkOnesFillTheirSide() {
    DispatchQueue q = new DispatchQueue(4, 1 << 20, 10, new ClassPick(8, 2, 0.1));
    for (int i = 0; i < 4; i++) {
      q.add(bulk(i));
    }
    assertThat(q.full()).as("transactional jobs still fetched").isFalse();
    assertThat(q.bulkFull()).isTrue();
    for (int i = 0; i < 4; i++) {
      q.add(transactional(i));
    }
    assertThat(q.full()).isTrue();
  }

  @Test
  void aJobTakenAheadKeepsItsLanesBulkSlotSoEveryBulkLaneSends() throws Exception {
    DispatchQueue q = new DispatchQueue(64, 1 << 20, 10, new ClassPick(8, 2, 0));
    for (int i = 0; i < 20; i++) {
      q.add(bulk(i));
    }
    int sending = 0;
    for (int lane = 0; lane < 6; lane++) {
      Delivery current = q.take(Duration.ZERO);
      if (current != null) {
        sending++;
        q.takeAhead(current);
      }
    }
    assertThat(sending).as("lanes sending a bulk job, each with one taken ahead").isEqualTo(6);
    assertThat(q.take(Duration.ZERO)).as("no seventh bulk lane").isNull();
  }

  @Test
  void nothingIsTakenAheadWhileALaneWaitsForAJob() throws Exception {
    DispatchQueue q = new DispatchQueue(64, 1 << 20, 10, new ClassPick(8, 2, 0));
    q.add(bulk(0));
    Delivery current = q.take(Duration.ZERO);
    java.util.concurrent.CompletableFuture<Delivery> idle =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return q.take(Duration.ofSeconds(30));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    org.awaitility.Awaitility.await().until(() -> q.idleLanes() == 1);
    q.add(transactional(0));
    assertThat(q.takeAhead(current)).as("the idle lane takes it now").isNull();
    assertThat(idle.get(30, java.util.concurrent.TimeUnit.SECONDS)).hasToString("jobs-0@0");
  }

  @Test
  void withTheClassesOffTheDepthOfEachClassCountsItsJobs() {
    DispatchQueue q = new DispatchQueue(64, 1 << 20, 10); // one queue
    q.add(bulk(0));
    q.add(transactional(0));
    q.add(transactional(1));
    assertThat(q.size(JobClass.BULK)).isEqualTo(1);
    assertThat(q.size(JobClass.TRANSACTIONAL)).isEqualTo(2);
    assertThat(q.size()).isEqualTo(3);
  }
}
