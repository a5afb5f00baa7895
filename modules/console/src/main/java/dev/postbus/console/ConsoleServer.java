package dev.postbus.console;

import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator console: a web application over Kafka (no database of its own), reading and writing
 * only through the replay and suppression code the CLI uses. {@link #start} returns it listening;
 * {@link #close} stops it.
 */
public final class ConsoleServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ConsoleServer.class);

  private final Javalin app;
  private final SuppressionPages suppressions;
  private final ConsoleConfig config;
  private final DeadLetterPages deadLetters;

  private ConsoleServer(
      Javalin app,
      SuppressionPages suppressions,
      DeadLetterPages deadLetters,
      ConsoleConfig config) {
    this.app = app;
    this.suppressions = suppressions;
    this.deadLetters = deadLetters;
    this.config = config;
  }

  public static ConsoleServer start(ConsoleConfig config) {
    Templates templates = new Templates();
    Guard guard = new Guard(config.password(), config.hostNames());
    Arrivals arrivals = new Arrivals(templates);
    Scans scans = new Scans(Scans.DEFAULT);
    DeadLetterPages deadLetters = new DeadLetterPages(config, templates);
    JobPages jobs = new JobPages(config, templates);
    OverviewPages overview = new OverviewPages(config, templates);
    SuppressionPages suppressions = new SuppressionPages(config, templates);
    FeedbackPages feedback = new FeedbackPages(config, templates);
    Javalin app =
        Javalin.create(
            c -> {
              c.jetty.host = config.host();
              c.jetty.port = config.port();
              c.startup.showJavalinBanner = false;
              c.staticFiles.add(
                  s -> {
                    s.hostedPath = "/static";
                    s.directory = "/console-static";
                    s.location = Location.CLASSPATH;
                  });
              c.staticFiles.enableWebjars();
              c.routes.before(guard::before);
              c.routes.before(arrivals::before); // after the guard, before any read of Kafka
              c.routes.get("/", ctx -> ctx.redirect("/dead-letters"));
              c.routes.get("/dead-letters", scans.limit(deadLetters::list));
              c.routes.get("/dead-letters/{position}", scans.limit(deadLetters::detail));
              c.routes.post("/dead-letters/replay", scans.limit(deadLetters::replay));
              c.routes.get("/jobs", scans.limit(jobs::lookup));
              c.routes.get("/overview", scans.limit(overview::overview));
              c.routes.get("/overview/series.json", scans.limit(overview::series));
              c.routes.get("/suppressions", suppressions::search);
              c.routes.post("/suppressions/add", suppressions::add);
              c.routes.post("/suppressions/remove", suppressions::remove);
              c.routes.get("/feedback", scans.limit(feedback::list));
              c.routes.exception(
                  IllegalArgumentException.class,
                  (e, ctx) -> {
                    ctx.status(400);
                    templates.render(
                        ctx,
                        "error.jte",
                        new Views.Page(
                            "Not understood", "", Guard.token(ctx), null, e.getMessage()));
                  });
              c.routes.exception(
                  dev.postbus.replay.MissingTopicException.class,
                  (e, ctx) -> {
                    ctx.status(409);
                    templates.render(
                        ctx,
                        "error.jte",
                        new Views.Page(
                            "A class topic is missing",
                            "",
                            Guard.token(ctx),
                            null,
                            e.getMessage()));
                  });
              c.routes.exception(
                  IllegalStateException.class,
                  (e, ctx) -> unavailable(templates, ctx, e.getMessage()));
              c.routes.exception(
                  org.apache.kafka.common.KafkaException.class,
                  (e, ctx) ->
                      unavailable(
                          templates,
                          ctx,
                          "Kafka did not answer ("
                              + e.getClass().getSimpleName()
                              + "): is the broker running, and are --bootstrap-servers right?"));
              c.routes.exception(
                  HttpResponseException.class,
                  (e, ctx) -> {
                    ctx.status(e.getStatus());
                    templates.render(
                        ctx,
                        "error.jte",
                        new Views.Page(
                            "Error " + e.getStatus(), "", Guard.token(ctx), null, e.getMessage()));
                  });
            });
    app.start();
    ConsoleServer server = new ConsoleServer(app, suppressions, deadLetters, config);
    log.info(
        "console on {} (jobs topic {}, events {}, group {}){}",
        server.url(),
        config.topic(),
        config.eventsTopic(),
        config.group(),
        config.password() == null ? "" : "; password required");
    return server;
  }

  private static void unavailable(Templates templates, io.javalin.http.Context ctx, String why) {
    ctx.status(503);
    templates.render(
        ctx, "error.jte", new Views.Page("Kafka did not answer", "", Guard.token(ctx), null, why));
  }

  /** Records of the dead-letter topic the table's pages have read since start. */
  public long deadLetterRecordsRead() {
    return deadLetters.recordsRead();
  }

  public int port() {
    return app.port();
  }

  public String url() {
    String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    return "http://" + host + ":" + port();
  }

  @Override
  public void close() {
    app.stop();
    suppressions.close();
  }
}
