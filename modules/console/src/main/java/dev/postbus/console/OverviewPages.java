package dev.postbus.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postbus.job.JobClass;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.kafka.Start;
import dev.postbus.kafka.TopicScan;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The state of things: outcomes per minute over the last hour (from the events topic), the workers'
 * consumer group with its members, partitions and lag, and the dead letters of the last day by
 * class.
 */
final class OverviewPages {

  /** The outcome events the chart counts, in its order. */
  static final List<String> SERIES = List.of("delivered", "deferred", "dead-lettered", "in-doubt");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MINUTES = 60;
  private static final long TIMEOUT_SECONDS = 15;

  private final ConsoleConfig config;
  private final Templates templates;

  OverviewPages(ConsoleConfig config, Templates templates) {
    this.config = config;
    this.templates = templates;
  }

  void overview(Context ctx) throws Exception {
    Map<String, Long> classes = new TreeMap<>();
    Map<String, Long> jobClasses = new TreeMap<>();
    TopicScan.readTopic(
        config.readerKafka(),
        config.deadLetterTopic(),
        Start.at(Instant.now().minus(Duration.ofDays(1))),
        ConsoleConfig.READ_TIMEOUT,
        r -> {
          var h = r.headers().lastHeader(PostbusHeaders.CLASS);
          String c = h == null ? "(none)" : new String(h.value(), StandardCharsets.UTF_8);
          classes.merge(c, 1L, Long::sum);
          // no class header: a dead letter of before the classes, when every job was transactional
          var jc = r.headers().lastHeader(PostbusHeaders.JOB_CLASS);
          jobClasses.merge(
              jc == null || jc.value() == null
                  ? JobClass.TRANSACTIONAL.wire()
                  : new String(jc.value(), StandardCharsets.UTF_8),
              1L,
              Long::sum);
          return TopicScan.Step.NEXT;
        });
    List<Views.MemberRow> members = new ArrayList<>();
    List<Views.LagRow> lag = new ArrayList<>();
    String state;
    List<Views.ClassRow> classRows;
    try (Admin admin = Admin.create(config.kafka())) {
      ConsumerGroupDescription group =
          admin
              .describeConsumerGroups(List.of(config.group()))
              .all()
              .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
              .get(config.group());
      state = group.groupState().toString();
      group
          .members()
          .forEach(
              m ->
                  members.add(
                      new Views.MemberRow(
                          m.clientId(),
                          m.host(),
                          m.assignment().topicPartitions().stream()
                              .map(tp -> tp.topic() + "-" + tp.partition())
                              .sorted()
                              .reduce((a, b) -> a + ", " + b)
                              .orElse("none"))));
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(config.group())
              .partitionsToOffsetAndMetadata()
              .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
      committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin.listOffsets(latest).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      new TreeMap<String, TopicPartition>(
              committed.keySet().stream()
                  .collect(
                      java.util.stream.Collectors.toMap(
                          tp -> String.format("%s-%05d", tp.topic(), tp.partition()), tp -> tp)))
          .values()
          .forEach(
              tp -> {
                long c = committed.get(tp) == null ? 0 : committed.get(tp).offset();
                long end = ends.get(tp) == null ? c : ends.get(tp).offset();
                lag.add(
                    new Views.LagRow(
                        tp.topic() + "-" + tp.partition(), c, end, Math.max(0, end - c)));
              });
      classRows = ClassRows.of(admin, config.topic(), committed, jobClasses, TIMEOUT_SECONDS);
    }
    long[][] perMinute = perMinute(Instant.now());
    List<Views.Count> lastHour = new ArrayList<>();
    for (int s = 0; s < SERIES.size(); s++) {
      long sum = 0;
      for (long n : perMinute[s]) {
        sum += n;
      }
      lastHour.add(new Views.Count(SERIES.get(s), sum));
    }
    templates.render(
        ctx,
        "overview.jte",
        new Views.OverviewView(
            new Views.Page("Overview", "overview", Guard.token(ctx), null, null),
            config.group(),
            state,
            members,
            lag,
            lag.stream().mapToLong(Views.LagRow::lag).sum(),
            classes.entrySet().stream()
                .map(e -> new Views.Count(e.getKey(), e.getValue()))
                .toList(),
            lastHour,
            classRows));
  }

  /** The chart's data: {@code {"minutes":[epoch seconds...], "delivered":[...], ...}}. */
  void series(Context ctx) throws Exception {
    Instant now = Instant.now();
    long[][] counts = perMinute(now);
    ObjectNode out = JSON.createObjectNode();
    ArrayNode minutes = out.putArray("minutes");
    Instant first = now.truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(MINUTES - 1));
    for (int m = 0; m < MINUTES; m++) {
      minutes.add(first.plus(Duration.ofMinutes(m)).getEpochSecond());
    }
    for (int s = 0; s < SERIES.size(); s++) {
      ArrayNode a = out.putArray(SERIES.get(s));
      for (long n : counts[s]) {
        a.add(n);
      }
    }
    ctx.contentType("application/json").result(JSON.writeValueAsString(out));
  }

  private long[][] perMinute(Instant now) {
    Instant first = now.truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(MINUTES - 1));
    long[][] counts = new long[SERIES.size()][MINUTES];
    TopicScan.readTopic(
        config.readerKafka(),
        config.eventsTopic(),
        Start.at(first),
        ConsoleConfig.READ_TIMEOUT,
        r -> {
          try {
            JsonNode e = JSON.readTree(r.value());
            int s = SERIES.indexOf(e.path("type").asText());
            Instant at = Instant.parse(e.path("at").asText());
            int m = (int) Duration.between(first, at).toMinutes();
            if (s >= 0 && m >= 0 && m < MINUTES) {
              counts[s][m]++;
            }
          } catch (Exception notAnEvent) {
            // skipped: the chart counts events only
          }
          return TopicScan.Step.NEXT;
        });
    return counts;
  }
}
