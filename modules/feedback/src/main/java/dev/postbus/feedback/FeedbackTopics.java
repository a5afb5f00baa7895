package dev.postbus.feedback;

import dev.postbus.feedback.config.FeedbackConfig;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates {@code <topic>.feedback} when it is missing ({@code feedback.create-topics}). The other
 * topics the receiver writes (suppressions, events) are the workers' and {@code postbus topics
 * create}'s to make.
 */
final class FeedbackTopics {

  private static final Logger log = LoggerFactory.getLogger(FeedbackTopics.class);

  private FeedbackTopics() {}

  static void ensure(FeedbackConfig config) {
    String topic = config.feedbackTopic();
    try (Admin admin = Admin.create(config.kafka())) {
      long timeout = config.kafkaTimeout().toMillis() * 3;
      if (admin.listTopics().names().get(timeout, TimeUnit.MILLISECONDS).contains(topic)) {
        return;
      }
      try {
        admin
            .createTopics(
                List.of(new NewTopic(topic, config.topicPartitions(), config.topicReplication())))
            .all()
            .get(timeout, TimeUnit.MILLISECONDS);
        log.info(
            "created topic {} ({} partitions, replication {})",
            topic,
            config.topicPartitions(),
            config.topicReplication());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot create topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Kafka did not answer while checking topic "
              + topic
              + "; are the bootstrap servers right?");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + topic, e);
    }
  }
}
