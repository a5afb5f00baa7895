package dev.postbus.console;

import dev.postbus.job.JobClass;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The overview's job classes: each class's topic and the workers' lag on it, from Kafka (the
 * group's committed offsets against each partition's end; a partition the group has not committed
 * on yet is behind from its beginning, as the workers start there).
 */
final class ClassRows {

  private ClassRows() {}

  /**
   * {@code deadLetters}: the last day's dead letters by the wire name of their class.
   *
   * @param committed the workers' group's committed offsets
   */
  static List<Views.ClassRow> of(
      Admin admin,
      String jobsTopic,
      Map<TopicPartition, OffsetAndMetadata> committed,
      Map<String, Long> deadLetters,
      long timeoutSeconds)
      throws Exception {
    List<Views.ClassRow> rows = new ArrayList<>();
    for (JobClass c : JobClass.values()) {
      String topic = c.topic(jobsTopic);
      Long lag = lag(admin, topic, committed, timeoutSeconds);
      rows.add(
          new Views.ClassRow(
              c.wire(),
              topic,
              lag == null ? "no topic" : Long.toString(lag),
              deadLetters.getOrDefault(c.wire(), 0L)));
    }
    return rows;
  }

  /** Records of {@code topic} the group has not consumed; null when there is no such topic. */
  private static Long lag(
      Admin admin,
      String topic,
      Map<TopicPartition, OffsetAndMetadata> committed,
      long timeoutSeconds)
      throws Exception {
    TopicDescription described;
    try {
      described =
          admin
              .describeTopics(List.of(topic))
              .topicNameValues()
              .get(topic)
              .get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return null;
      }
      throw e;
    }
    Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
    Map<TopicPartition, OffsetSpec> starts = new HashMap<>();
    described
        .partitions()
        .forEach(
            p -> {
              TopicPartition tp = new TopicPartition(topic, p.partition());
              ends.put(tp, OffsetSpec.latest());
              if (committed.get(tp) == null) {
                starts.put(tp, OffsetSpec.earliest());
              }
            });
    Map<TopicPartition, ListOffsetsResultInfo> end =
        admin.listOffsets(ends).all().get(timeoutSeconds, TimeUnit.SECONDS);
    Map<TopicPartition, ListOffsetsResultInfo> start =
        starts.isEmpty()
            ? Map.of()
            : admin.listOffsets(starts).all().get(timeoutSeconds, TimeUnit.SECONDS);
    long lag = 0;
    for (TopicPartition tp : ends.keySet()) {
      long from = committed.get(tp) != null ? committed.get(tp).offset() : start.get(tp).offset();
      lag += Math.max(0, end.get(tp).offset() - from);
    }
    return lag;
  }
}
