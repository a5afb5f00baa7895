package dev.postbus.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.kafka.Start;
import dev.postbus.kafka.TopicScan;
import dev.postbus.replay.DeadLetterFilter;
import dev.postbus.replay.DeadLetterTopic;
import dev.postbus.replay.Selection;
import dev.postbus.replay.TimeBound;
import dev.postbus.replay.Times;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A job's story: its outcome events in a time range, and its dead letters. */
final class JobPages {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MOST_EVENTS = 500;

  /** Fields every row shows in a column of its own; the rest go into the details. */
  private static final Set<String> COLUMNS = Set.of("type", "jobId", "at", "attempt", "worker");

  private final ConsoleConfig config;
  private final Templates templates;

  JobPages(ConsoleConfig config, Templates templates) {
    this.config = config;
    this.templates = templates;
  }

  void lookup(Context ctx) {
    String id = ctx.queryParam("id") == null ? "" : ctx.queryParam("id").strip();
    String since =
        ctx.queryParam("since") == null || ctx.queryParam("since").isBlank()
            ? "7d"
            : ctx.queryParam("since").strip();
    String untilText = ctx.queryParam("until") == null ? "" : ctx.queryParam("until").strip();
    Instant now = Instant.now();
    Instant from = Times.instantOrAge(since, "since", now);
    Instant until = Times.instantOrAge(Views.given(untilText), "until", now);
    List<Views.EventRow> events = new ArrayList<>();
    List<Views.DeadLetterRow> dead = new ArrayList<>();
    if (!id.isEmpty()) {
      byte[] key = id.getBytes(StandardCharsets.UTF_8);
      TopicScan.readTopic(
          config.readerKafka(),
          config.eventsTopic(),
          from == null ? Start.beginning() : Start.at(from),
          ConsoleConfig.READ_TIMEOUT,
          r -> {
            if (r.key() != null
                && Arrays.equals(r.key(), key)
                && (until == null || r.timestamp() < until.toEpochMilli())) {
              events.add(row(r.value()));
            }
            return events.size() < MOST_EVENTS ? TopicScan.Step.NEXT : TopicScan.Step.STOP;
          });
      events.sort(java.util.Comparator.comparing(Views.EventRow::at));
      DeadLetterFilter filter =
          new DeadLetterFilter(
              from == null ? null : TimeBound.at(from),
              until == null ? null : TimeBound.at(until),
              null,
              null,
              null,
              Selection.jobIds(Set.of(id)));
      try (DeadLetterTopic dlt =
          new DeadLetterTopic(config.kafka(), config.deadLetterTopic(), null)) {
        dlt.read(
            d -> {
              if (filter.matches(d)) {
                dead.add(Views.DeadLetterRow.of(d));
              }
              return true;
            });
      }
    }
    templates.render(
        ctx,
        "job.jte",
        new Views.JobView(
            new Views.Page("Job lookup", "jobs", Guard.token(ctx), null, null),
            id,
            since,
            untilText,
            !id.isEmpty(),
            events,
            dead));
  }

  private static Views.EventRow row(byte[] value) {
    try {
      JsonNode e = JSON.readTree(value);
      StringBuilder details = new StringBuilder();
      for (Map.Entry<String, JsonNode> f : (Iterable<Map.Entry<String, JsonNode>>) e::fields) {
        if (COLUMNS.contains(f.getKey())) {
          continue;
        }
        details
            .append(details.length() == 0 ? "" : "; ")
            .append(f.getKey())
            .append(": ")
            .append(f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString());
      }
      return new Views.EventRow(
          e.path("at").asText(),
          e.path("type").asText(),
          e.path("attempt").asText(),
          e.path("worker").asText(),
          details.toString());
    } catch (Exception notJson) {
      return new Views.EventRow("", "(not an event)", "", "", "");
    }
  }
}
