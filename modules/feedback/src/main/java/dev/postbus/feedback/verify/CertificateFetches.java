package dev.postbus.feedback.verify;

import dev.postbus.feedback.model.Refusal;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The fetches of certificates not held, bounded so that messages naming made-up certificate URLs
 * cost little and cannot cheaply crowd out a genuine one:
 *
 * <ul>
 *   <li>one fetch per URL at a time: requests naming a URL being fetched wait for that fetch;
 *   <li>at most {@link #MAX_IN_FLIGHT} URLs fetched at once: a request for another one is refused
 *       with 503 ({@code certificate-busy}) without a fetch, and SNS retries it;
 *   <li>a URL that SNS refused (a 403 from the fetch: a 4xx answer, or no certificate) is not
 *       fetched again for {@link #FAILURE_KEPT}; the request gets the same refusal. The {@link
 *       #MAX_FAILED} latest are kept. A 503 (SNS unreachable, timed out, 5xx) is not kept.
 *   <li>a fetch holds its URL and its slot for at most its deadline: then the requests waiting for
 *       it get 503 ({@code certificate-unavailable}) and the slot is free, whatever the fetcher
 *       does. What it returns later is not remembered as a failure.
 * </ul>
 */
final class CertificateFetches {

  /** URLs fetched at once, per replica. */
  static final int MAX_IN_FLIGHT = 4;

  /** How long a URL that SNS refused is not fetched again. */
  static final Duration FAILURE_KEPT = Duration.ofMinutes(5);

  /** URLs that SNS refused, kept: the latest. */
  static final int MAX_FAILED = 256;

  private final Function<URI, X509Certificate> fetcher;
  private final BiConsumer<String, X509Certificate> keep;
  private final Clock clock;
  private final Duration deadline;

  /** Guarded by this. */
  private final Map<String, CompletableFuture<X509Certificate>> inFlight = new HashMap<>();

  /** Guarded by this; oldest first. */
  private final Map<String, Failure> failed = new LinkedHashMap<>();

  private record Failure(Refusal refusal, Instant until) {}

  /**
   * Fetches with {@code fetcher}, each fetch given up after {@code deadline}; a certificate fetched
   * is handed to {@code keep} before another request for its URL can start a fetch.
   */
  CertificateFetches(
      Function<URI, X509Certificate> fetcher,
      BiConsumer<String, X509Certificate> keep,
      Clock clock,
      Duration deadline) {
    this.fetcher = fetcher;
    this.keep = keep;
    this.clock = clock;
    this.deadline = deadline;
  }

  /** The certificate at {@code url}, fetched by this request or by one already fetching it. */
  X509Certificate fetch(String url) {
    CompletableFuture<X509Certificate> flight;
    boolean mine = false;
    synchronized (this) {
      Failure f = failed.get(url);
      if (f != null) {
        if (clock.instant().isBefore(f.until())) {
          throw f.refusal();
        }
        failed.remove(url);
      }
      flight = inFlight.get(url);
      if (flight == null) {
        if (inFlight.size() >= MAX_IN_FLIGHT) {
          throw new Refusal(
              503,
              "certificate-busy",
              MAX_IN_FLIGHT + " SigningCertURLs are being fetched already; retry later");
        }
        flight = new CompletableFuture<>();
        inFlight.put(url, flight);
        mine = true;
      }
    }
    if (mine) {
      CompletableFuture<X509Certificate> own = flight;
      own.orTimeout(deadline.toNanos(), TimeUnit.NANOSECONDS)
          .whenComplete((cert, e) -> ended(url, own, null));
      run(url, own);
    }
    return outcome(flight);
  }

  private void run(String url, CompletableFuture<X509Certificate> flight) {
    try {
      X509Certificate cert = fetcher.apply(URI.create(url));
      keep.accept(url, cert);
      ended(url, flight, null);
      flight.complete(cert);
    } catch (Refusal r) {
      ended(url, flight, r);
      flight.completeExceptionally(r);
    } catch (RuntimeException | Error e) {
      ended(url, flight, null);
      flight.completeExceptionally(e);
    }
  }

  /**
   * Frees the URL and its slot when {@code flight} still holds them, and remembers a 403; a flight
   * given up at its deadline holds them no more, so what its fetch returns later is not remembered.
   */
  private synchronized void ended(
      String url, CompletableFuture<X509Certificate> flight, Refusal refusal) {
    if (!inFlight.remove(url, flight) || refusal == null || refusal.status() != 403) {
      return;
    }
    Instant now = clock.instant();
    failed.values().removeIf(f -> !now.isBefore(f.until()));
    if (failed.size() >= MAX_FAILED) {
      Iterator<String> oldest = failed.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    failed.put(url, new Failure(refusal, now.plus(FAILURE_KEPT)));
  }

  private X509Certificate outcome(CompletableFuture<X509Certificate> flight) {
    try {
      return flight.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof TimeoutException) {
        throw new Refusal(
            503,
            "certificate-unavailable",
            "SigningCertURL: no certificate within " + deadline.toMillis() + " ms; retry later");
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }
}
