package dev.postbus.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.kafka.Start;
import dev.postbus.kafka.TopicScan;
import dev.postbus.replay.Times;
import dev.postbus.suppression.Addresses;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * The bounces and complaints reported later ({@code <topic>.feedback}, written by {@code postbus
 * feedback}): counted by recipient domain and type, and the most recent, each with its provider's
 * payload (as text, cut at {@link #RAW_SHOWN} characters) and a link to its job's story.
 */
final class FeedbackPages {

  private static final ObjectMapper JSON = new ObjectMapper();
  static final int MOST_ROWS = 200;
  static final int RAW_SHOWN = 4096;
  static final int MOST_DOMAINS = 100;

  /** How far back the page reads at most: each request reads the topic from there. */
  static final Duration LONGEST_SINCE = Duration.ofDays(7);

  /** The domains with the most reports, and how many more there were. */
  record Domains(List<Views.DomainCount> rows, int more) {}

  private final ConsoleConfig config;
  private final Templates templates;

  FeedbackPages(ConsoleConfig config, Templates templates) {
    this.config = config;
    this.templates = templates;
  }

  void list(Context ctx) {
    String since =
        Views.given(ctx.queryParam("since")) == null ? "24h" : ctx.queryParam("since").strip();
    String domain = field(ctx, "domain");
    String type = field(ctx, "type");
    Instant from = since(since, Instant.now());
    Map<String, Long> counts = new TreeMap<>();
    // the latest by the time Kafka took them: a heap of at most MOST_ROWS, oldest on top
    PriorityQueue<Timed> recent =
        new PriorityQueue<>(Comparator.comparingLong(Timed::timestamp).thenComparingLong(Timed::n));
    long[] matching = {0};
    TopicScan.readTopic(
        config.readerKafka(),
        config.feedbackTopic(),
        Start.at(from),
        ConsoleConfig.READ_TIMEOUT,
        r -> {
          Views.FeedbackRow row = row(r.value());
          if (row != null
              && (domain.isEmpty() || row.domain().equals(domain))
              && (type.isEmpty() || row.type().equals(type))) {
            counts.merge(row.domain() + "\n" + row.kind(), 1L, Long::sum);
            matching[0]++;
            recent.add(new Timed(r.timestamp(), matching[0], row));
            if (recent.size() > MOST_ROWS) {
              recent.poll();
            }
          }
          return TopicScan.Step.NEXT;
        });
    Domains byDomain = topDomains(counts);
    templates.render(
        ctx,
        "feedback.jte",
        new Views.FeedbackView(
            new Views.Page("Feedback", "feedback", Guard.token(ctx), null, null),
            since,
            domain,
            type,
            byDomain.rows(),
            byDomain.more(),
            recent.stream()
                .sorted(
                    Comparator.comparingLong(Timed::timestamp)
                        .thenComparingLong(Timed::n)
                        .reversed())
                .map(Timed::row)
                .toList(),
            matching[0]));
  }

  /** Where the page reads from: {@code since} (a time or an age) at most 7 days back. */
  static Instant since(String since, Instant now) {
    Instant from = Times.instantOrAge(since, "since", now);
    if (from.isBefore(now.minus(LONGEST_SINCE))) {
      throw new IllegalArgumentException(
          "since goes back at most 7 days (the page reads the topic from there on each request);"
              + " got '"
              + since
              + "'");
    }
    return from;
  }

  /** The {@link #MOST_DOMAINS} domain and type pairs with the most reports, biggest first. */
  static Domains topDomains(Map<String, Long> counts) {
    List<Views.DomainCount> all = new ArrayList<>(counts.size());
    counts.forEach(
        (k, n) -> {
          int nl = k.indexOf('\n');
          all.add(new Views.DomainCount(k.substring(0, nl), k.substring(nl + 1), n));
        });
    all.sort(
        Comparator.comparingLong(Views.DomainCount::count)
            .reversed()
            .thenComparing(Views.DomainCount::domain)
            .thenComparing(Views.DomainCount::kind));
    int shown = Math.min(MOST_DOMAINS, all.size());
    return new Domains(List.copyOf(all.subList(0, shown)), all.size() - shown);
  }

  /** A row with the time Kafka took its record, and the order it was read in. */
  private record Timed(long timestamp, long n, Views.FeedbackRow row) {}

  private static String field(Context ctx, String name) {
    String v = Views.given(ctx.queryParam(name));
    return v == null ? "" : v.strip().toLowerCase(Locale.ROOT);
  }

  /** A bounce or complaint; null for other reports and records that are not one. */
  static Views.FeedbackRow row(byte[] value) {
    JsonNode n;
    try {
      n = value == null ? null : JSON.readTree(value);
    } catch (java.io.IOException notJson) {
      return null;
    }
    if (n == null || !n.isObject()) {
      return null;
    }
    String type = n.path("type").asText();
    if (!type.equals("bounce") && !type.equals("complaint")) {
      return null;
    }
    String recipient = text(n, "recipient");
    String bounceClass = text(n, "bounceClass");
    String raw = text(n, "raw");
    if (raw != null && raw.length() > RAW_SHOWN) {
      raw = raw.substring(0, RAW_SHOWN) + "… (cut at " + RAW_SHOWN + " characters)";
    }
    return new Views.FeedbackRow(
        text(n, "at"),
        text(n, "provider"),
        type,
        type + (bounceClass == null ? "" : " (" + bounceClass + ")"),
        recipient == null ? "(none)" : Addresses.domain(recipient),
        recipient == null ? "" : recipient,
        text(n, "status") == null ? "" : text(n, "status"),
        text(n, "diagnostic") == null ? "" : text(n, "diagnostic"),
        text(n, "jobId"),
        raw == null ? "" : raw);
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
