package dev.postbus.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobClassTest {

  private final JobCodec codec = new JobCodec();

  private static byte[] job(String extra) {
    return ("{\"schema\":1,\"id\":\"j-1\",\"from\":\"a@example.com\",\"to\":[\"b@example.com\"],"
            + "\"subject\":\"Hi\",\"text\":\"Hello\""
            + extra
            + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void anAbsentOrNullClassIsTransactional() throws Exception {
    assertThat(codec.read(job("")).jobClass()).isEqualTo(JobClass.TRANSACTIONAL);
    assertThat(codec.read(job(",\"class\":null")).jobClass()).isEqualTo(JobClass.TRANSACTIONAL);
  }

  @Test
  void aBulkJobKeepsItsClassThroughEncodeAndRead() throws Exception {
    Job bulk = codec.read(job(",\"class\":\"bulk\""));
    assertThat(bulk.jobClass()).isEqualTo(JobClass.BULK);
    assertThat(new String(codec.encode(bulk), StandardCharsets.UTF_8))
        .contains("\"class\":\"bulk\"");
    assertThat(codec.read(codec.encode(bulk))).isEqualTo(bulk);
  }

  @Test
  void aTransactionalJobIsEncodedWithoutTheField() throws Exception {
    Job t = codec.read(job(",\"class\":\"transactional\""));
    assertThat(new String(codec.encode(t), StandardCharsets.UTF_8)).doesNotContain("class");
  }

  @Test
  void anUnknownClassIsRefusedNamingTheField() {
    InvalidJobException e =
        catchThrowableOfType(
            InvalidJobException.class, () -> codec.read(job(",\"class\":\"Bulk\"")));
    assertThat(e.field()).isEqualTo("class");
    assertThat(e.getMessage()).contains("\"transactional\" or \"bulk\"");
  }

  @Test
  void anUnknownClassIsNotEchoedInTheReason() {
    for (String given : List.of("bob@example.com", "bulk\\r\\nX: y", "Bulk\\n")) {
      InvalidJobException e =
          catchThrowableOfType(
              InvalidJobException.class, () -> codec.read(job(",\"class\":\"" + given + "\"")));
      assertThat(e.getMessage())
          .as(given)
          .isEqualTo("class: expected \"transactional\" or \"bulk\"")
          .doesNotContain("@", "\r", "\n");
    }
  }

  @Test
  void aClassThatIsNotAStringIsRefusedNamingTheField() {
    InvalidJobException e =
        catchThrowableOfType(InvalidJobException.class, () -> codec.read(job(",\"class\":1")));
    assertThat(e.field()).isEqualTo("class");
  }

  @Test
  void eachClassHasItsTopic() {
    assertThat(JobClass.TRANSACTIONAL.topic("postbus.jobs")).isEqualTo("postbus.jobs");
    assertThat(JobClass.BULK.topic("postbus.jobs")).isEqualTo("postbus.jobs.bulk");
  }

  @Test
  void aBulkJobWithUnsubscribeKeepsBothThroughTheCodecAndTheWithers() throws Exception {
    Job plain = Job.text("news-1", "news@example.com", "bob@example.net", "News", "Hello");
    Job news = plain.withUnsubscribe(new Unsubscribe("news")).withClass(JobClass.BULK);
    assertThat(news.schema()).isEqualTo(Job.SCHEMA_UNSUBSCRIBE);
    assertThat(news.list()).isEqualTo("news");
    assertThat(news.jobClass()).isEqualTo(JobClass.BULK);
    assertThat(plain.withClass(JobClass.BULK).withUnsubscribe(new Unsubscribe("news")))
        .isEqualTo(news);
    assertThat(news.withId("news-2").list()).isEqualTo("news");
    assertThat(news.withId("news-2").jobClass()).isEqualTo(JobClass.BULK);
    Job noList = news.withUnsubscribe(null);
    assertThat(noList.schema()).isEqualTo(Job.SCHEMA);
    assertThat(noList.jobClass()).isEqualTo(JobClass.BULK);

    String json = new String(codec.encode(news), StandardCharsets.UTF_8);
    assertThat(json).contains("\"schema\":2", "\"class\":\"bulk\"", "\"list\":\"news\"");
    assertThat(codec.read(codec.encode(news))).isEqualTo(news);
  }
}
