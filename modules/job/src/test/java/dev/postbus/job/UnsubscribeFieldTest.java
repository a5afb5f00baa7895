package dev.postbus.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UnsubscribeFieldTest {

  private final JobCodec codec = new JobCodec();

  private static byte[] job(String recipients, String unsubscribe) {
    return ("{\"schema\":2,\"id\":\"j-1\",\"from\":\"a@example.com\",\"to\":["
            + recipients
            + "],\"subject\":\"News\",\"text\":\"Hello\",\"unsubscribe\":"
            + unsubscribe
            + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private String refusal(byte[] payload) {
    return catchThrowableOfType(InvalidJobException.class, () -> codec.read(payload)).getMessage();
  }

  @Test
  void aListSurvivesTheRoundTrip() throws Exception {
    Job job = codec.read(job("\"b@example.com\"", "{\"list\":\"news.weekly\"}"));
    assertThat(job.list()).isEqualTo("news.weekly");
    assertThat(codec.read(codec.encode(job))).isEqualTo(job);
  }

  @Test
  void aJobWithoutTheFieldHasNoList() throws Exception {
    assertThat(codec.read(job("\"b@example.com\"", "null")).list()).isNull();
  }

  @Test
  void moreThanOneRecipientIsRefusedNamingTheField() {
    assertThat(refusal(job("\"b@example.com\",\"c@example.com\"", "{\"list\":\"news\"}")))
        .startsWith("unsubscribe: a job with unsubscribe must have exactly one recipient")
        .contains("it has 2");
  }

  @Test
  void aBadListNameIsRefusedNamingTheField() {
    assertThat(refusal(job("\"b@example.com\"", "{\"list\":\"News Letter\"}")))
        .isEqualTo("unsubscribe.list: " + Unsubscribe.LIST_RULE);
    assertThat(refusal(job("\"b@example.com\"", "{\"list\":\"" + "a".repeat(65) + "\"}")))
        .startsWith("unsubscribe.list: must be 1 to 64");
    assertThat(refusal(job("\"b@example.com\"", "{}"))).isEqualTo("unsubscribe.list: is required");
    assertThat(refusal(job("\"b@example.com\"", "\"news\"")))
        .startsWith("unsubscribe: expected an object");
  }
}
