package dev.postbus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.job.InvalidJobException;
import dev.postbus.job.Job;
import dev.postbus.job.JobCodec;
import dev.postbus.job.JobLimits;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.testkit.TopicReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedKafka.class)
class JobPublisherIT {

  private static String topic(EmbeddedKafka kafka) throws Exception {
    String topic = SharedKafka.uniqueName("jobs");
    try (Admin admin = kafka.admin()) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
    }
    return topic;
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(
      EmbeddedKafka kafka, String topic, int expected) {
    return TopicReader.read(kafka.bootstrapServers(), topic, expected, Duration.ofSeconds(30));
  }

  @Test
  void publishedJobIsKeyedByItsIdAndReadsBackUnchanged(EmbeddedKafka kafka) throws Exception {
    String topic = topic(kafka);
    Job job = Job.text("order-42", "a@example.com", "b@example.com", "Hi", "Hello");
    try (JobPublisher publisher =
        JobPublisher.create(PublisherConfig.of(kafka.bootstrapServers(), topic))) {
      PublishReceipt receipt = publisher.publish(job).join();
      assertThat(receipt.jobId()).isEqualTo("order-42");
      assertThat(receipt.offset()).isGreaterThanOrEqualTo(0);
    }
    ConsumerRecord<byte[], byte[]> record = readAll(kafka, topic, 1).get(0);
    assertThat(TopicReader.keys(List.of(record))).containsExactly("order-42");
    assertThat(new JobCodec().read(record.value())).isEqualTo(job);
  }

  @Test
  void jobWithoutIdGetsOne(EmbeddedKafka kafka) throws Exception {
    String topic = topic(kafka);
    try (JobPublisher publisher =
        JobPublisher.create(PublisherConfig.of(kafka.bootstrapServers(), topic))) {
      PublishReceipt receipt =
          publisher
              .publishJson(
                  "{\"schema\":1,\"from\":\"a@example.com\",\"to\":[\"b@example.com\"],\"subject\":\"Hi\",\"text\":\"Hello\"}")
              .join();
      assertThat(receipt.jobId()).hasSize(36);
      assertThat(TopicReader.keys(readAll(kafka, topic, 1))).containsExactly(receipt.jobId());
    }
  }

  @Test
  void invalidJobIsRefusedAndNeverSent(EmbeddedKafka kafka) throws Exception {
    String topic = topic(kafka);
    try (JobPublisher publisher =
        JobPublisher.create(PublisherConfig.of(kafka.bootstrapServers(), topic))) {
      Job injected =
          Job.text("j-1", "a@example.com", "b@example.com", "Hi\r\nBcc: x@evil.com", "Hello");
      assertThatThrownBy(() -> publisher.publish(injected).join())
          .isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(InvalidJobException.class)
          .hasMessageContaining("subject: contains CR, LF or NUL");
      publisher.publish(Job.text("j-2", "a@example.com", "b@example.com", "fine", "Hello")).join();
    }
    assertThat(TopicReader.keys(readAll(kafka, topic, 1))).containsExactly("j-2");
  }

  @Test
  void failedSendFailsTheFuture(EmbeddedKafka kafka) {
    PublisherConfig config =
        new PublisherConfig(
            kafka.bootstrapServers(),
            SharedKafka.uniqueName("missing"),
            JobLimits.DEFAULTS,
            Map.of(
                "max.block.ms",
                "1500",
                "delivery.timeout.ms",
                "1500",
                "request.timeout.ms",
                "1000"));
    try (JobPublisher publisher = JobPublisher.create(config)) {
      assertThatThrownBy(
              () ->
                  publisher
                      .publish(Job.text("j-1", "a@example.com", "b@example.com", "s", "t"))
                      .join())
          .hasCauseInstanceOf(PublishException.class)
          .hasMessageContaining("job j-1 was not published");
    }
  }
}
