package dev.postbus.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.job.PostbusHeaders;
import dev.postbus.worker.dispatch.Delivery;
import dev.postbus.worker.dispatch.PartitionOffsets;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** Reading an attempt from headers another producer may have written: it never throws. */
class AttemptTest {

  private static Attempt read(String... keysAndValues) {
    RecordHeaders h = new RecordHeaders();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      byte[] v =
          keysAndValues[i + 1] == null
              ? null
              : keysAndValues[i + 1].getBytes(StandardCharsets.UTF_8);
      h.add(keysAndValues[i], v);
    }
    return Attempt.of(
        new Delivery(
            new TopicPartition("jobs", 0), 7, null, new byte[0], h, 0L, new PartitionOffsets()));
  }

  @Test
  void malformedCountsAndTimesReadAsAbsent() {
    Attempt a =
        read(
            PostbusHeaders.ATTEMPT, "many",
            PostbusHeaders.FIRST_FAILURE, "yesterday",
            PostbusHeaders.RECIPIENTS, null);
    assertThat(a.number()).isEqualTo(1);
    assertThat(a.firstFailure()).isNull();
    assertThat(a.malformed()).startsWith(PostbusHeaders.RECIPIENTS + ": ");
  }

  @Test
  void theLargestAttemptCountDoesNotWrapToANegativeNumber() {
    Attempt a = read(PostbusHeaders.ATTEMPT, Integer.toString(Integer.MAX_VALUE));
    assertThat(a.number()).as("stays past retry.max-attempts").isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void aWellFormedRestrictionIsKept() {
    Attempt a = read(PostbusHeaders.RECIPIENTS, "[\"alice@example.net\"]");
    assertThat(a.only()).containsExactly("alice@example.net");
    assertThat(a.malformed()).isNull();
  }
}
