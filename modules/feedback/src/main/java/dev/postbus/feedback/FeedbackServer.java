package dev.postbus.feedback;

import dev.postbus.feedback.config.FeedbackConfig;
import dev.postbus.feedback.model.Refusal;
import dev.postbus.feedback.receive.Answer;
import dev.postbus.feedback.receive.BounceListener;
import dev.postbus.feedback.receive.Endpoint;
import dev.postbus.feedback.receive.FeedbackMetrics;
import dev.postbus.feedback.receive.GenericEndpoint;
import dev.postbus.feedback.receive.Intake;
import dev.postbus.feedback.receive.MailgunEndpoint;
import dev.postbus.feedback.receive.PostmarkEndpoint;
import dev.postbus.feedback.receive.Request;
import dev.postbus.feedback.receive.SendGridEndpoint;
import dev.postbus.feedback.receive.SesEndpoint;
import dev.postbus.feedback.receive.UnsubscribeEndpoint;
import dev.postbus.feedback.verify.Freshness;
import dev.postbus.feedback.verify.MailgunTokens;
import dev.postbus.feedback.verify.SigningCertificates;
import dev.postbus.feedback.write.FeedbackWriter;
import dev.postbus.feedback.write.RepeatFilter;
import dev.postbus.feedback.write.SoftBounceFollower;
import dev.postbus.feedback.write.SoftBounces;
import dev.postbus.kafka.DurableProducer;
import dev.postbus.suppression.SuppressionWriter;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code postbus feedback}: a stateless HTTP receiver of bounces and complaints. Each source has
 * its endpoint, {@code POST /feedback/<provider>}, checked the way that source signs; what it
 * accepts is written to Kafka and answered 2xx only once acknowledged. {@code /metrics} and {@code
 * /health/live} are served beside them.
 */
public final class FeedbackServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FeedbackServer.class);

  /**
   * The buffer Javalin copies each answer through on its way to Jetty (Javalin's own; Jetty's
   * output buffer stays at its 32 KiB, so an answer up to that still goes with a Content-Length).
   */
  static final int RESPONSE_BUFFER = 4096;

  private final Javalin app;
  private final BounceListener smtp;
  private final Producer<byte[], byte[]> producer;
  private final FeedbackConfig config;
  private final SoftBounceFollower softBounces;

  private FeedbackServer(
      Javalin app,
      BounceListener smtp,
      Producer<byte[], byte[]> producer,
      FeedbackConfig config,
      SoftBounceFollower softBounces) {
    this.app = app;
    this.smtp = smtp;
    this.producer = producer;
    this.config = config;
    this.softBounces = softBounces;
  }

  public static FeedbackServer start(FeedbackConfig config) {
    return start(config, Clock.systemUTC());
  }

  public static FeedbackServer start(FeedbackConfig config, Clock clock) {
    if (config.createTopics()) {
      FeedbackTopics.ensure(config);
    }
    Producer<byte[], byte[]> producer =
        new KafkaProducer<>(
            producerSettings(config), new ByteArraySerializer(), new ByteArraySerializer());
    BounceListener smtp = null;
    SoftBounceFollower softBounces = null;
    try {
      FeedbackMetrics metrics = new FeedbackMetrics();
      softBounces = softBounces(config, clock, producer, metrics);
      Intake intake = intake(config, clock, producer, metrics);
      List<Endpoint> endpoints = endpoints(config, clock, intake);
      UnsubscribeEndpoint unsubscribe = unsubscribe(config, clock, producer, metrics);
      Javalin app =
          Javalin.create(
              c -> {
                c.jetty.host = config.host();
                c.jetty.port = config.port();
                c.startup.showJavalinBanner = false;
                // Javalin copies each answer through a new buffer of this size (Jetty's 32 KiB
                // output buffer size unless set): a third of the bytes an SNS notification
                // allocated, for answers of a line. Jetty's own output buffer is not changed.
                c.http.responseBufferSize = RESPONSE_BUFFER;
                for (Endpoint e : endpoints) {
                  c.routes.post(
                      "/feedback/" + e.provider(), ctx -> serve(e, ctx, config.maxBody(), metrics));
                }
                if (unsubscribe != null) {
                  c.routes.post("/u/{token}", ctx -> serveUnsubscribe(unsubscribe, ctx, true));
                  c.routes.get("/u/{token}", ctx -> serveUnsubscribe(unsubscribe, ctx, false));
                }
                c.routes.get(
                    "/metrics",
                    ctx -> ctx.contentType("text/plain; version=0.0.4").result(metrics.scrape()));
                c.routes.get("/health/live", ctx -> ctx.result("live\n"));
              });
      if (config.smtp() != null) {
        smtp = BounceListener.start(config.host(), config.smtp(), intake, metrics, clock);
      }
      app.start();
      FeedbackServer server = new FeedbackServer(app, smtp, producer, config, softBounces);
      log.info(
          "feedback receiver on {} ({}), writing {}", server.url(), config, config.feedbackTopic());
      return server;
    } catch (RuntimeException e) {
      if (smtp != null) {
        smtp.close();
      }
      if (softBounces != null) {
        softBounces.close();
      }
      producer.close();
      throw e;
    }
  }

  /** Counts soft bounces from the feedback topic and suppresses at the limit; null when off. */
  private static SoftBounceFollower softBounces(
      FeedbackConfig config,
      Clock clock,
      Producer<byte[], byte[]> producer,
      FeedbackMetrics metrics) {
    if (config.softBounceLimit() == 0) {
      return null;
    }
    SoftBounceFollower f =
        new SoftBounceFollower(
            config.kafka(),
            config.feedbackTopic(),
            new SuppressionWriter(producer, config.suppressionsTopic()),
            new SoftBounces(
                config.softBounceLimit(),
                config.softBounceWindow(),
                config.softBounceMaxRecipients(),
                clock),
            config.softBounceWindow(),
            clock);
    metrics.softBounces(f);
    return f.start();
  }

  /** One-click unsubscribe, or null without feedback.unsubscribe-key-file (then /u/ is 404). */
  private static UnsubscribeEndpoint unsubscribe(
      FeedbackConfig config,
      Clock clock,
      Producer<byte[], byte[]> producer,
      FeedbackMetrics metrics) {
    if (config.unsubscribe() == null) {
      return null;
    }
    return new UnsubscribeEndpoint(
        config.unsubscribe(),
        new SuppressionWriter(producer, config.suppressionsTopic()),
        metrics,
        config.kafkaTimeout(),
        clock);
  }

  /** What every endpoint and the SMTP listener write through. */
  private static Intake intake(
      FeedbackConfig config,
      Clock clock,
      Producer<byte[], byte[]> producer,
      FeedbackMetrics metrics) {
    FeedbackWriter writer =
        new FeedbackWriter(
            producer,
            config.feedbackTopic(),
            new SuppressionWriter(producer, config.suppressionsTopic()),
            config.eventsTopic(),
            config.kafkaTimeout(),
            clock);
    return new Intake(
        writer, new RepeatFilter(config.dedupeEntries(), config.dedupeWindow(), clock), metrics);
  }

  private static List<Endpoint> endpoints(FeedbackConfig config, Clock clock, Intake intake) {
    Freshness freshness = new Freshness(clock, config.maxAge());
    SigningCertificates certificates =
        new SigningCertificates(
            config.certificateHosts(), config.certificateTrust(), config.kafkaTimeout(), clock);
    return List.of(
        new SesEndpoint(config.sesTopicArns(), certificates, freshness, intake, clock),
        new SendGridEndpoint(config.sendgridKey(), freshness, intake, clock),
        new PostmarkEndpoint(config.postmarkPassword(), intake, clock),
        new MailgunEndpoint(
            config.mailgunSigningKey(),
            freshness,
            new MailgunTokens(
                config.dedupeEntries(), config.maxAge().plus(Freshness.MAX_AHEAD), clock),
            intake,
            clock),
        new GenericEndpoint(config.genericToken(), config.devLoopbackGeneric(), intake, clock));
  }

  /** Acknowledged by every replica, never twice; a send blocks at most feedback.kafka-timeout. */
  static Map<String, Object> producerSettings(FeedbackConfig config) {
    Map<String, Object> p = DurableProducer.settings(config.kafka());
    int timeout = (int) config.kafkaTimeout().toMillis();
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeout + 1000);
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "postbus-feedback");
    return p;
  }

  private static void serve(Endpoint endpoint, Context ctx, int maxBody, FeedbackMetrics metrics) {
    try {
      Answer a = endpoint.handle(new Request(ctx::header, body(ctx, maxBody), loopback(ctx)));
      ctx.status(a.status()).contentType("text/plain").result(a.text());
    } catch (Refusal r) {
      metrics.rejected(endpoint.provider(), r.reason());
      log.info("feedback/{} refused ({}): {}", endpoint.provider(), r.status(), r.getMessage());
      ctx.status(r.status()).contentType("text/plain").result(r.getMessage() + "\n");
    }
  }

  private static void serveUnsubscribe(UnsubscribeEndpoint u, Context ctx, boolean post) {
    UnsubscribeEndpoint.headers().forEach(ctx::header);
    String token = ctx.pathParam("token");
    try {
      if (post) {
        Answer a = u.unsubscribe(token, () -> unsubscribeBody(ctx));
        ctx.status(a.status()).contentType("text/plain; charset=utf-8").result(a.text());
      } else {
        Answer a = u.page(token);
        ctx.status(a.status()).contentType("text/html; charset=utf-8").result(a.text());
      }
    } catch (Refusal r) {
      if (r.status() == 503) {
        ctx.header("Retry-After", "1");
      }
      ctx.status(r.status()).contentType("text/plain; charset=utf-8").result(r.getMessage() + "\n");
    }
  }

  /** The body of a POST to /u/, at most {@link UnsubscribeEndpoint#MAX_BODY} bytes. */
  private static byte[] unsubscribeBody(Context ctx) {
    int max = UnsubscribeEndpoint.MAX_BODY;
    if (ctx.req().getContentLengthLong() > max) {
      throw new Refusal(413, "too-large", "the body is larger than " + max + " bytes");
    }
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] body = in.readNBytes(max + 1);
      if (body.length > max) {
        throw new Refusal(413, "too-large", "the body is larger than " + max + " bytes");
      }
      return body;
    } catch (IOException e) {
      throw Refusal.malformed("(body)", "could not be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static byte[] body(Context ctx, int maxBody) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBody) {
      throw new Refusal(413, "too-large", "the body is larger than feedback.max-body " + maxBody);
    }
    try (InputStream in = ctx.req().getInputStream()) {
      // with a Content-Length (at most maxBody, above), read up to that length, not maxBody + 1:
      // a body of up to 8 KiB is one array of its size; JDK 17's
      // readNBytes reads a longer one in 8 KiB steps and joins them (no array is sized from the
      // header before the bytes arrive). Without one (chunked), read past the bound.
      byte[] body = in.readNBytes(declared >= 0 ? (int) declared : maxBody + 1);
      if (body.length > maxBody) {
        throw new Refusal(413, "too-large", "the body is larger than feedback.max-body " + maxBody);
      }
      return body;
    } catch (IOException e) {
      throw Refusal.malformed("(body)", "could not be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static boolean loopback(Context ctx) {
    try {
      return InetAddress.getByName(ctx.req().getRemoteAddr()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  public int port() {
    return app.port();
  }

  /** The SMTP listener's port, or -1 when it is off. */
  public int smtpPort() {
    return smtp == null ? -1 : smtp.port();
  }

  public String url() {
    String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    return "http://" + host + ":" + port();
  }

  @Override
  public void close() {
    if (smtp != null) {
      smtp.close();
    }
    if (softBounces != null) {
      softBounces.close();
    }
    app.stop();
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
