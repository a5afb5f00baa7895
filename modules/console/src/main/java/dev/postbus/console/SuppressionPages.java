package dev.postbus.console;

import dev.postbus.suppression.Addresses;
import dev.postbus.suppression.Source;
import dev.postbus.suppression.Suppression;
import dev.postbus.suppression.SuppressionReader;
import dev.postbus.suppression.SuppressionTopic;
import dev.postbus.suppression.SuppressionWriter;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The suppression list: search it, add an address, remove one, validated as the CLI does. */
final class SuppressionPages implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SuppressionPages.class);
  private static final int MOST_ROWS = 200;

  private final ConsoleConfig config;
  private final Templates templates;
  private final String topic;
  private KafkaProducer<byte[], byte[]> producer;

  SuppressionPages(ConsoleConfig config, Templates templates) {
    this.config = config;
    this.templates = templates;
    this.topic = SuppressionTopic.of(config.topic());
  }

  void search(Context ctx) {
    show(ctx, ctx.queryParam("q"), ctx.queryParam("notice"), null);
  }

  private void show(Context ctx, String query, String notice, String error) {
    String q = query == null ? "" : query.strip().toLowerCase(Locale.ROOT);
    Instant now = Instant.now();
    List<Views.SuppressionRow> rows = new ArrayList<>();
    int total = 0;
    Map<dev.postbus.suppression.SuppressionCodec.Key, Suppression> list;
    try {
      list = SuppressionReader.readAll(config.kafka(), topic, Duration.ofSeconds(30), p -> {});
    } catch (IllegalStateException e) { // no list yet
      list = Map.of();
      error = error == null ? e.getMessage() : error;
    }
    for (Suppression s : list.values()) {
      if (!s.address().contains(q)) {
        continue;
      }
      total++;
      if (rows.size() < MOST_ROWS) {
        rows.add(
            new Views.SuppressionRow(
                s.address(),
                s.list() == null ? "global" : "list:" + s.list(),
                s.list() == null ? "" : s.list(),
                s.source().label(),
                ((s.code() == null ? "" : s.code())
                        + " "
                        + (s.enhancedCode() == null ? "" : s.enhancedCode()))
                    .strip(),
                s.at().truncatedTo(ChronoUnit.SECONDS).toString(),
                s.expiresAt() == null
                    ? "never"
                    : s.expired(now) ? "expired" : s.expiresAt().toString(),
                s.reason()));
      }
    }
    templates.render(
        ctx,
        "suppressions.jte",
        new Views.SuppressionsView(
            new Views.Page("Suppressions", "suppressions", Guard.token(ctx), notice, error),
            q,
            rows,
            total,
            rows.size()));
  }

  /** POST: suppress an address (source operator). */
  void add(Context ctx) throws Exception {
    Guard.requireToken(ctx);
    String address = validAddress(ctx);
    String list = address == null ? null : validList(ctx);
    if (list == null) {
      return;
    }
    String reason = ctx.formParam("reason");
    reason = reason == null || reason.isBlank() ? "added in the console" : reason.strip();
    written(
        writer()
            .add(
                new Suppression(
                    address,
                    reason,
                    null,
                    null,
                    Source.OPERATOR,
                    Instant.now(),
                    null,
                    list.isEmpty() ? null : list)));
    log.info("console: an operator suppressed an address (*@{})", Addresses.domain(address));
    ctx.redirect("/suppressions?q=" + Views.url(address) + "&notice=" + Views.url("suppressed"));
  }

  /** POST: take an address off the list. */
  void remove(Context ctx) throws Exception {
    Guard.requireToken(ctx);
    String address = validAddress(ctx);
    String list = address == null ? null : validList(ctx);
    if (list == null) {
      return;
    }
    written(writer().remove(address, list.isEmpty() ? null : list));
    log.info("console: an operator took an address off the list (*@{})", Addresses.domain(address));
    ctx.redirect(
        "/suppressions?notice="
            + Views.url(
                address + " removed; replay its dead letters with the filter class=suppressed"));
  }

  /**
   * The form's address, normalized; null when it is not one, after showing the list again with why
   * (400).
   */
  private String validAddress(Context ctx) {
    try {
      return Addresses.requireValid(ctx.formParam("address"), "address");
    } catch (IllegalArgumentException e) {
      ctx.status(400);
      show(ctx, "", null, e.getMessage());
      return null;
    }
  }

  /**
   * The form's list, "" for none (global); null when it is not a list name, after showing the list
   * again with why (400).
   */
  private String validList(Context ctx) {
    String list = ctx.formParam("list");
    if (list == null || list.isBlank()) {
      return "";
    }
    if (!dev.postbus.job.Unsubscribe.isValidList(list.strip())) {
      ctx.status(400);
      show(ctx, "", null, "list: " + dev.postbus.job.Unsubscribe.LIST_RULE);
      return null;
    }
    return list.strip();
  }

  /** Waits for Kafka to have the record; says what to do when it will not. */
  private void written(java.util.concurrent.Future<?> sent) throws InterruptedException {
    try {
      sent.get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalStateException(
          "the suppression list "
              + topic
              + " did not take the change ("
              + cause.getClass().getSimpleName()
              + "); does the topic exist (`postbus topics create`), and does Kafka answer?");
    }
  }

  private synchronized SuppressionWriter writer() {
    if (producer == null) {
      Map<String, Object> settings = dev.postbus.kafka.DurableProducer.settings(config.kafka());
      settings.put(org.apache.kafka.clients.producer.ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
      producer =
          new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer());
    }
    return new SuppressionWriter(producer, topic);
  }

  @Override
  public synchronized void close() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
  }
}
