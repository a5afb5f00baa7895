package dev.postbus.feedback.receive;

import dev.postbus.feedback.model.Refusal;
import dev.postbus.job.UnsubscribeToken;
import dev.postbus.suppression.Suppression;
import dev.postbus.suppression.SuppressionWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-click unsubscribe (RFC 8058): {@code POST /u/<token>} with the body {@code
 * List-Unsubscribe=One-Click} (form-urlencoded or multipart) puts the recipient the token names on
 * the suppression list for the token's list (source {@code unsubscribe}), and answers 202 once
 * Kafka acknowledged it; no redirect, no cookie. Every request is written (the same entry again:
 * the compacted topic keeps one), with no memory of earlier ones: after a re-subscribe (a tombstone
 * this replica never hears of) a new click must be written. Only requests for one entry in flight
 * at the same moment are merged: a second one (a double click) waits for the first's write and gets
 * its answer. {@code GET /u/<token>} changes nothing: it shows a page whose button posts that body
 * (link scanners fetch every URL of a message). A token that does not verify is refused (403
 * altered or forged, 404 not a token or of a key not held) and counted; nothing is written.
 */
public final class UnsubscribeEndpoint {

  private static final Logger log = LoggerFactory.getLogger(UnsubscribeEndpoint.class);

  /** The label of its requests in the metrics. */
  public static final String PROVIDER = "unsubscribe";

  /** The largest body read: RFC 8058's form is 26 bytes, a multipart one a few hundred. */
  public static final int MAX_BODY = 4096;

  static final String EXPECTED =
      "the body must be List-Unsubscribe=One-Click (application/x-www-form-urlencoded or"
          + " multipart/form-data, RFC 8058)";

  /**
   * A multipart part named List-Unsubscribe whose value is One-Click: its Content-Disposition line,
   * any other header lines of the part (Content-Type with a charset, as some clients send), a blank
   * line, the value.
   */
  private static final Pattern MULTIPART_ONE_CLICK =
      Pattern.compile(
          "^Content-Disposition:[ \\t]*form-data;[ \\t]*name=(?:\"List-Unsubscribe\"|List-Unsubscribe)"
              + "(?=[;\\s])[^\\r\\n]*\\r?\\n"
              + "(?:[!-9;-~]+:[^\\r\\n]*\\r?\\n)*"
              + "\\r?\\nOne-Click\\r?\\n",
          Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);

  private final UnsubscribeToken tokens;
  private final SuppressionWriter writer;

  /**
   * The writes under way, by entry: a request for one of them waits for it and shares its answer.
   */
  private final ConcurrentMap<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

  private final FeedbackMetrics metrics;
  private final Duration kafkaTimeout;
  private final Clock clock;

  public UnsubscribeEndpoint(
      UnsubscribeToken tokens,
      SuppressionWriter writer,
      FeedbackMetrics metrics,
      Duration kafkaTimeout,
      Clock clock) {
    this.tokens = tokens;
    this.writer = writer;
    this.metrics = metrics;
    this.kafkaTimeout = kafkaTimeout;
    this.clock = clock;
  }

  /** The headers every answer of {@code /u/} carries: no caching, no framing, nothing loaded. */
  public static java.util.Map<String, String> headers() {
    return UnsubscribePage.HEADERS;
  }

  /** {@code GET /u/<token>}: the page with the button, for a valid token; nothing written. */
  public Answer page(String token) {
    UnsubscribeToken.Claim claim = verified(token);
    return new Answer(200, UnsubscribePage.html(claim.list()));
  }

  /** {@code POST /u/<token>}: suppress, 202 once Kafka has it. */
  public Answer unsubscribe(String token, java.util.function.Supplier<byte[]> bodyReader) {
    UnsubscribeToken.Claim claim = verified(token);
    byte[] body;
    try {
      body = bodyReader.get();
    } catch (Refusal r) {
      throw refused(r);
    }
    if (!oneClick(body)) {
      throw refused(new Refusal(400, "bad-body", EXPECTED));
    }
    String id = "unsubscribe:" + claim.list() + " " + claim.address();
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> theirs = inFlight.putIfAbsent(id, mine);
    if (theirs != null) {
      awaitWrite(theirs);
      metrics.repeats(PROVIDER, 1);
      return done(claim);
    }
    try {
      write(Suppression.unsubscribe(claim.address(), claim.list(), clock.instant()));
      mine.complete(null);
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(id, mine);
    }
    metrics.accepted(PROVIDER, PROVIDER);
    log.info(
        "unsubscribed a recipient (*@{}) from {} (job {})",
        domain(claim),
        claim.list(),
        claim.jobId());
    return done(claim);
  }

  private static Answer done(UnsubscribeToken.Claim claim) {
    return new Answer(202, "Unsubscribed from " + claim.list() + ".\n");
  }

  /** Waits for another request's write of the same entry; its failure is this one's too. */
  private void awaitWrite(CompletableFuture<Void> write) {
    try {
      write.get(kafkaTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw refused(new Refusal(503, "kafka", "interrupted; retry"));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Refusal r) {
        throw refused(r);
      }
      throw refused(
          new Refusal(503, "kafka", "the suppression list could not be written now; retry"));
    } catch (TimeoutException e) {
      throw refused(
          new Refusal(503, "kafka", "the suppression list could not be written now; retry"));
    }
  }

  private void write(Suppression s) {
    try {
      writer.add(s).get(kafkaTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw refused(new Refusal(503, "kafka", "interrupted; retry"));
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      log.warn("could not write an unsubscribe to {}: {}", writer.topic(), e.toString());
      throw refused(
          new Refusal(503, "kafka", "the suppression list could not be written now; retry"));
    }
  }

  private UnsubscribeToken.Claim verified(String token) {
    UnsubscribeToken.Check c = tokens.check(token);
    return switch (c.status()) {
      case VALID -> c.claim();
      case FORGED ->
          throw refused(
              Refusal.forbidden("forged", "this link was altered or not made by this sender"));
      case UNKNOWN_KEY ->
          throw refused(
              new Refusal(
                  404, "unknown-key", "this link is no longer valid (its key was rotated out)"));
      case MALFORMED -> throw refused(new Refusal(404, "malformed", "not an unsubscribe link"));
    };
  }

  private Refusal refused(Refusal r) {
    metrics.rejected(PROVIDER, r.reason());
    return r;
  }

  /**
   * Whether the body carries List-Unsubscribe=One-Click, as a form or a multipart field. An empty
   * body does not: RFC 8058 requires the field, and an empty POST is what a link-following scanner
   * sends, not a mailbox provider's one-click.
   */
  static boolean oneClick(byte[] body) {
    if (body == null || body.length == 0 || body.length > MAX_BODY) {
      return false;
    }
    String text = new String(body, StandardCharsets.UTF_8);
    for (String pair : text.strip().split("&")) {
      if (pair.equals("List-Unsubscribe=One-Click")) {
        return true;
      }
    }
    return MULTIPART_ONE_CLICK.matcher(text).find();
  }

  private static String domain(UnsubscribeToken.Claim claim) {
    return claim.address().substring(claim.address().lastIndexOf('@') + 1);
  }
}
