package dev.postbus.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.job.JobClass;
import dev.postbus.kafka.TopicScan;
import dev.postbus.replay.DeadLetter;
import dev.postbus.replay.DeadLetterFilter;
import dev.postbus.replay.MissingTopicException;
import dev.postbus.replay.Replayer;
import dev.postbus.replay.Selection;
import io.javalin.http.ConflictResponse;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead letters: a filtered, paged table; one dead letter in full; and replay of a filter or a
 * selection of rows (by position), previewed first and confirmed once after, through the same
 * {@link Replayer} as the CLI (so the same replay run twice republishes nothing the second time,
 * and two at once share the work).
 */
final class DeadLetterPages {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterPages.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SAMPLE = 20;

  /** Filters whose pages' checkpoints are kept (least recently used forgotten first). */
  static final int PAGE_INDEX_FILTERS = 16;

  private final ConsoleConfig config;
  private final Templates templates;
  private final Replayer replayer;

  /**
   * The replay producer's buffer (Kafka's default is 32 MiB): part of the console's heap, and still
   * room for one job as large as job.max-bytes allows by default.
   */
  static final int PRODUCER_BUFFER_BYTES = 16 * 1024 * 1024;

  private final LongAdder recordsRead = new LongAdder();
  private final PageIndex index;

  private final Confirmations confirmations = new Confirmations(Clock.systemUTC());

  DeadLetterPages(ConsoleConfig config, Templates templates) {
    this.config = config;
    this.templates = templates;
    this.index = new PageIndex(config.pageSize(), PAGE_INDEX_FILTERS);
    this.replayer =
        new Replayer(
            config.kafka(),
            config.topic(),
            Map.of(ProducerConfig.BUFFER_MEMORY_CONFIG, Integer.toString(PRODUCER_BUFFER_BYTES)));
  }

  void list(Context ctx) {
    Views.Filter f = Views.Filter.of(ctx, false);
    DeadLetterFilter filter = f.toFilter(Instant.now());
    int page = Math.max(0, parseInt(ctx.queryParam("page"), "page"));
    long skip = (long) page * config.pageSize();
    PageIndex.Page<Views.DeadLetterRow> found;
    try (DeadLetterSource source =
        new DeadLetterSource(config.kafka(), config.deadLetterTopic(), recordsRead)) {
      found = index.page(cacheKey(filter), filter::matches, skip, source, Views.DeadLetterRow::of);
    }
    List<Views.DeadLetterRow> rows = found.rows();
    templates.render(
        ctx,
        "deadletters.jte",
        new Views.DeadLettersView(
            page(ctx, "Dead letters"),
            f,
            rows,
            found.matched(),
            found.records(),
            page,
            skip + 1,
            skip + rows.size() < found.matched()));
  }

  /** The filter's text, or null for one with an age (it moves with the clock: not cached). */
  private static String cacheKey(DeadLetterFilter filter) {
    boolean moves =
        (filter.since() != null && filter.since().age() != null)
            || (filter.until() != null && filter.until().age() != null);
    return moves ? null : filter.canonical();
  }

  /** Dead-letter records the table's pages have read since start. */
  long recordsRead() {
    return recordsRead.sum();
  }

  void detail(Context ctx) {
    String position = ctx.pathParam("position");
    if (!position.contains("@")) {
      throw new NotFoundResponse("no dead letter at " + position); // not a position: no such page
    }
    Selection.Position at = Selection.Position.parse(position); // refused naming partition@offset
    ConsumerRecord<byte[], byte[]> r;
    try (var consumer = TopicScan.consumer(config.readerKafka())) {
      r =
          new TopicScan(consumer, ConsoleConfig.READ_TIMEOUT)
              .one(new TopicPartition(config.deadLetterTopic(), at.partition()), at.offset());
    }
    if (r == null) {
      throw new NotFoundResponse("no dead letter at " + position);
    }
    DeadLetter d = DeadLetter.of(r);
    List<Views.HeaderRow> headers = new ArrayList<>();
    for (Header h : r.headers()) {
      headers.add(new Views.HeaderRow(h.key(), DeadLetter.text(h)));
    }
    String notReplayable = d.payloadOmittedNote();
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

  /**
   * POST: a preview (action=preview) of a filter (mode=filter) or of ticked rows (mode=selection,
   * their positions), or the replay a preview issued a nonce for (action=confirm).
   */
  void replay(Context ctx) throws Exception {
    Guard.requireToken(ctx);
    if ("confirm".equals(ctx.formParam("action"))) {
      confirm(ctx);
    } else {
      preview(ctx);
    }
  }

  private void preview(Context ctx) throws Exception {
    String mode = ctx.formParam("mode");
    Views.Filter shown;
    String selection = null;
    DeadLetterFilter filter;
    if ("selection".equals(mode)) {
      Set<Selection.Position> positions = new LinkedHashSet<>();
      for (String value : ctx.formParams("select")) {
        Arrays.stream(value.split(","))
            .filter(v -> !v.isBlank())
            .forEach(v -> positions.add(Selection.Position.parse(v)));
      }
      filter = DeadLetterFilter.of(Selection.positions(positions)); // refuses an empty selection
      shown = Views.Filter.NONE;
      selection = positions.stream().map(Object::toString).collect(Collectors.joining(", "));
    } else if ("filter".equals(mode)) {
      shown = Views.Filter.of(ctx, true);
      filter = shown.toFilter(Instant.now());
    } else {
      throw new IllegalArgumentException("mode: must be filter or selection");
    }
    Replayer.Ends ends = replayer.ends(); // the confirmation republishes no more than this shows
    Replayer.Result result =
        replayer.replay(
            new Replayer.Request(filter, true, Integer.MAX_VALUE, 0, SAMPLE).upTo(ends), d -> {});
    String nonce = confirmations.issue(filter, ends, shown, selection);
    render(ctx, result, shown, selection, nonce);
  }

  private void confirm(Context ctx) throws Exception {
    Confirmations.Pending pending = confirmations.take(ctx.formParam("nonce"));
    if (pending == null) {
      throw new ConflictResponse(
          "this replay was already confirmed (or its preview is older than "
              + Confirmations.VALID_FOR.toMinutes()
              + " minutes): nothing was republished now; preview it again to see what is left");
    }
    Replayer.Result result =
        replayer.replay(
            new Replayer.Request(pending.filter(), false, Integer.MAX_VALUE, 0, SAMPLE)
                .upTo(pending.ends()),
            d -> {});
    log.info(
        "console: replayed {} dead letters to {} ({} of them bulk, to its .bulk topic; group {})",
        result.matched(),
        config.topic(),
        result.bulk(),
        result.group());
    render(ctx, result, pending.shown(), pending.selection(), null);
  }

  /** {@code nonce}: null for a replay done. */
  private void render(
      Context ctx, Replayer.Result result, Views.Filter shown, String selection, String nonce) {
    templates.render(
        ctx,
        "replay.jte",
        new Views.ReplayView(
            page(ctx, nonce == null ? "Replayed" : "Replay preview"),
            shown,
            selection,
            nonce,
            result.matched(),
            result.scanned(),
            result.sample().stream().map(Views.DeadLetterRow::of).toList(),
            result.notReplayable(),
            result.group(),
            result.shared(),
            result.bulk(),
            JobClass.BULK.topic(config.topic()),
            result.unknownClass(),
            result.missingTopics().stream()
                .map(t -> MissingTopicException.warning(t, config.topic()))
                .toList()));
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

  /** {@code s} as a number, 0 when absent; otherwise refused naming {@code name}. */
  static int parseInt(String s, String name) {
    try {
      return s == null ? 0 : Integer.parseInt(s.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": must be a number; got '" + s + "'");
    }
  }
}
