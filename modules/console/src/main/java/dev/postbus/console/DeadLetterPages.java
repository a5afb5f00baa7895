package dev.postbus.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.replay.DeadLetter;
import dev.postbus.replay.DeadLetterFilter;
import dev.postbus.replay.DeadLetterTopic;
import dev.postbus.replay.Replayer;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead letters: a filtered, paged table; one dead letter in full; and replay of a filter or a
 * selection, previewed first and confirmed after, through the same {@link Replayer} as the CLI (so
 * the same replay run twice republishes nothing the second time).
 */
final class DeadLetterPages {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterPages.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SAMPLE = 20;

  private final ConsoleConfig config;
  private final Templates templates;
  private final Replayer replayer;

  DeadLetterPages(ConsoleConfig config, Templates templates) {
    this.config = config;
    this.templates = templates;
    this.replayer = new Replayer(config.kafka(), config.topic());
  }

  void list(Context ctx) {
    Views.Filter f = Views.Filter.of(ctx, false);
    DeadLetterFilter filter = f.toFilter(Instant.now());
    int page = Math.max(0, parseInt(ctx.queryParam("page")));
    long skip = (long) page * config.pageSize();
    List<Views.DeadLetterRow> rows = new ArrayList<>();
    long[] matched = {0};
    long scanned;
    try (DeadLetterTopic dlt =
        new DeadLetterTopic(config.kafka(), config.deadLetterTopic(), null)) {
      scanned =
          dlt.read(
              d -> {
                if (filter.matches(d)) {
                  if (matched[0] >= skip && rows.size() < config.pageSize()) {
                    rows.add(Views.DeadLetterRow.of(d));
                  }
                  matched[0]++;
                }
                return true;
              });
    }
    templates.render(
        ctx,
        "deadletters.jte",
        new Views.DeadLettersView(
            page(ctx, "Dead letters"),
            f,
            rows,
            matched[0],
            scanned,
            page,
            skip + 1,
            skip + rows.size() < matched[0]));
  }

  void detail(Context ctx) {
    String position = ctx.pathParam("position");
    String[] parts = position.split("@");
    if (parts.length != 2) {
      throw new NotFoundResponse("no dead letter at " + position);
    }
    ConsumerRecord<byte[], byte[]> r =
        TopicScan.one(
            config.kafka(), config.deadLetterTopic(), parseInt(parts[0]), parseLong(parts[1]));
    if (r == null) {
      throw new NotFoundResponse("no dead letter at " + position);
    }
    DeadLetter d = DeadLetter.of(r);
    List<Views.HeaderRow> headers = new ArrayList<>();
    for (Header h : r.headers()) {
      headers.add(
          new Views.HeaderRow(
              h.key(), h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8)));
    }
    String notReplayable =
        d.payloadOmitted()
            ? "Its payload was too large for the dead-letter topic and was left out, so it cannot be"
                + " replayed from here. The original is at "
                + d.original()
                + " while the jobs topic keeps it."
            : null;
    templates.render(
        ctx,
        "deadletter.jte",
        new Views.DetailView(
            page(ctx, "Dead letter " + d.position()),
            Views.DeadLetterRow.of(d),
            headers,
            d.reply(),
            pretty(r.value()),
            notReplayable));
  }

  /** POST: a preview (action=preview) or the replay itself (action=confirm). */
  void replay(Context ctx) throws Exception {
    Guard.requireToken(ctx);
    List<String> selected = ctx.formParams("select");
    Views.Filter f =
        selected.isEmpty()
            ? Views.Filter.of(ctx, true)
            : new Views.Filter("", "", "", "", "", String.join(",", selected));
    boolean confirm = "confirm".equals(ctx.formParam("action"));
    List<Views.DeadLetterRow> sample = new ArrayList<>();
    Replayer.Result result =
        replayer.replay(
            new Replayer.Request(f.toFilter(Instant.now()), !confirm, Integer.MAX_VALUE, 0),
            d -> {
              if (sample.size() < SAMPLE) {
                sample.add(Views.DeadLetterRow.of(d));
              }
            });
    if (confirm) {
      log.info(
          "console: replayed {} dead letters to {} (group {})",
          result.matched().size(),
          config.topic(),
          result.group());
    }
    templates.render(
        ctx,
        "replay.jte",
        new Views.ReplayView(
            page(ctx, confirm ? "Replayed" : "Replay preview"),
            f,
            confirm,
            result.matched().size(),
            result.scanned(),
            sample,
            result.withoutPayload().size(),
            result.group()));
  }

  private static String pretty(byte[] value) {
    if (value == null) {
      return "(no payload)";
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(value));
    } catch (Exception notJson) {
      return new String(value, StandardCharsets.UTF_8);
    }
  }

  static Views.Page page(Context ctx, String title) {
    return new Views.Page(title, "dead-letters", Guard.token(ctx), null, null);
  }

  static int parseInt(String s) {
    try {
      return s == null ? 0 : Integer.parseInt(s.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number: " + s);
    }
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.strip());
    } catch (NumberFormatException e) {
      throw new NotFoundResponse("no dead letter at that position");
    }
  }
}
