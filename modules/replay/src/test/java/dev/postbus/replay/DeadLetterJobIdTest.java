package dev.postbus.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A dead letter's job id is its job's {@code id}, whatever the record's key: job-format.md allows
 * keying by recipient. A payload that is not a job falls back to the key, and a key that is an
 * address shows its domain only.
 */
class DeadLetterJobIdTest {

  private static DeadLetter dead(String key, String payload) {
    return DeadLetter.of(
        new ConsumerRecord<>(
            "jobs.dlt",
            0,
            3,
            key == null ? null : key.getBytes(StandardCharsets.UTF_8),
            payload == null ? null : payload.getBytes(StandardCharsets.UTF_8)));
  }

  private static String job(String id) {
    return "{\"schema\":1,\"to\":[\"alice@x.com\"],\"id\":\""
        + id
        + "\",\"from\":\"shop@example.com\",\"subject\":\"s\",\"text\":\"t\"}";
  }

  @Test
  void aJobKeyedByRecipientIsFoundByItsIdNotByTheAddress() {
    DeadLetter d = dead("alice@x.com", job("order-42"));
    assertThat(d.jobId()).isEqualTo("order-42");
    assertThat(Selection.jobIds(Set.of("order-42")).matches(d)).isTrue();
    assertThat(Selection.jobIds(Set.of("alice@x.com")).matches(d)).isFalse();
  }

  @Test
  void aJobKeyedByItsIdKeepsIt() {
    assertThat(dead("order-43", job("order-43")).jobId()).isEqualTo("order-43");
  }

  @Test
  void aPayloadThatIsNotAJobFallsBackToTheKeyAndAnAddressShowsItsDomainOnly() {
    assertThat(dead("order-44", "not json").jobId()).isEqualTo("order-44");
    assertThat(dead("alice@x.com", "not json").jobId()).isEqualTo("@x.com").doesNotContain("alice");
    assertThat(dead("alice@x.com", null).jobId()).isEqualTo("@x.com");
    assertThat(dead(null, "[1,2]").jobId()).isEmpty();
    assertThat(dead("k", "{\"id\":7}").jobId()).isEqualTo("k");
  }
}
