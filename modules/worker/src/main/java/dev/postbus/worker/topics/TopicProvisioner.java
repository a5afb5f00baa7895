package dev.postbus.worker.topics;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the topics Postbus uses when they are missing. */
public final class TopicProvisioner {

  private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);
  private static final long TIMEOUT_SECONDS = 30;

  private TopicProvisioner() {}

  /** Creates each missing topic; returns the names it created. */
  public static List<String> ensure(
      Admin admin, List<String> topics, int partitions, short replication) {
    return ensure(admin, topics, partitions, replication, java.util.Map.of());
  }

  /**
   * Creates each missing topic, with the given topic settings where there are any; returns the
   * names it created.
   */
  public static List<String> ensure(
      Admin admin,
      List<String> topics,
      int partitions,
      short replication,
      java.util.Map<String, java.util.Map<String, String>> configs) {
    try {
      Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String t : topics) {
        if (!existing.contains(t)) {
          missing.add(
              new NewTopic(t, partitions, replication)
                  .configs(configs.getOrDefault(t, java.util.Map.of())));
        }
      }
      List<String> created = new ArrayList<>();
      for (var e : admin.createTopics(missing).values().entrySet()) {
        try {
          e.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
          created.add(e.getKey());
          log.info(
              "created topic {} ({} partitions, replication {})",
              e.getKey(),
              partitions,
              replication);
        } catch (ExecutionException ex) {
          if (!(ex.getCause() instanceof TopicExistsException)) {
            throw ex;
          }
        }
      }
      return created;
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot create topics " + topics + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Kafka did not answer within "
              + TIMEOUT_SECONDS
              + " s while checking topics "
              + topics
              + "; is kafka.bootstrap-servers right?",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }
}
