package dev.postbus.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.job.Job;
import dev.postbus.job.JobClass;
import dev.postbus.job.JobCodec;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class JobPublisherClassTest {

  private final MockProducer<String, byte[]> producer =
      new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  private final JobPublisher publisher = new JobPublisher(producer, "jobs", new JobCodec());

  private static Job job(String id) {
    return Job.text(id, "a@example.com", "b@example.com", "Hi", "Hello");
  }

  @Test
  void eachClassIsPublishedToItsTopic() {
    assertThat(publisher.publish(job("t-1")).join().topic()).isEqualTo("jobs");
    assertThat(publisher.publish(job("b-1").withClass(JobClass.BULK)).join().topic())
        .isEqualTo("jobs.bulk");
    assertThat(producer.history())
        .extracting(r -> r.topic() + "/" + r.key())
        .containsExactly("jobs/t-1", "jobs.bulk/b-1");
  }

  @Test
  void aJsonLineWithTheBulkClassGoesToTheBulkTopic() {
    String line =
        "{\"schema\":1,\"id\":\"b-2\",\"from\":\"a@example.com\",\"to\":[\"b@example.com\"],"
            + "\"subject\":\"s\",\"text\":\"t\",\"class\":\"bulk\"}";
    assertThat(publisher.publishJson(line).join().topic()).isEqualTo("jobs.bulk");
  }

  @Test
  void aContentIdOverItsHeaderLineIsRefusedBeforePublishingNamingTheField() {
    String line =
        "{\"schema\":1,\"id\":\"c-1\",\"from\":\"a@example.com\",\"to\":[\"b@example.com\"],"
            + "\"subject\":\"s\",\"text\":\"t\",\"attachments\":[{\"filename\":\"a\","
            + "\"content\":\"SGVsbG8=\",\"contentId\":\""
            + "a".repeat(990)
            + "\"}]}";
    Throwable refused =
        org.assertj.core.api.Assertions.catchThrowable(() -> publisher.publishJson(line).join());
    assertThat(refused.getCause())
        .isInstanceOf(dev.postbus.job.InvalidJobException.class)
        .hasMessageContaining("attachments[0].contentId")
        .hasMessageContaining("1 to 984 characters");
    assertThat(producer.history()).isEmpty();
  }
}
