package dev.postbus.worker.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.job.Job;
import dev.postbus.job.JobClass;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.PartitionOffsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class ClassMismatchTest {

  private final AtomicInteger counted = new AtomicInteger();
  private final OutcomeListener listener =
      new OutcomeListener() {
        @Override
        public void delivered(long publishedMillis, long nowMillis) {}

        @Override
        public void deadLettered(String failureClass) {}

        @Override
        public void retried(String tierTopic) {}

        @Override
        public void inDoubt() {}

        @Override
        public void smtpSend(long nanos) {}

        @Override
        public void connectionFailed() {}

        @Override
        public void classMismatch() {
          counted.incrementAndGet();
        }
      };

  private static Delivery on(String topic, JobClass scheduledAs) {
    return new Delivery(
        new TopicPartition(topic, 0),
        0,
        null,
        new byte[1],
        new RecordHeaders(),
        0L,
        new PartitionOffsets(),
        scheduledAs);
  }

  private static Job job(JobClass c) {
    return Job.text("j-1", "a@example.com", "b@example.com", "s", "t").withClass(c);
  }

  @Test
  void aBulkJobOnTheTransactionalTopicIsCountedOnceAndTheTopicDecides() {
    assertThat(
            ClassMismatch.check(
                on("jobs", JobClass.TRANSACTIONAL), job(JobClass.BULK), "jobs", listener))
        .isTrue();
    assertThat(
            ClassMismatch.check(
                on("jobs.bulk", JobClass.BULK), job(JobClass.TRANSACTIONAL), "jobs", listener))
        .isTrue();
    assertThat(counted).hasValue(2);
  }

  @Test
  void itsRetriesAreNotCountedAgainNorAreJobsThatAgree() {
    ClassMismatch.check(
        on("jobs.retry.30s", JobClass.TRANSACTIONAL), job(JobClass.BULK), "jobs", listener);
    ClassMismatch.check(on("jobs.bulk", JobClass.BULK), job(JobClass.BULK), "jobs", listener);
    ClassMismatch.check(on("jobs", JobClass.TRANSACTIONAL), null, "jobs", listener);
    assertThat(counted).hasValue(0);
  }
}
