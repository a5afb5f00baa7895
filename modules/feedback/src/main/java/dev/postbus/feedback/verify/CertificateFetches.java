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
import java.util.function.Function;

/**
 * The fetches of certificates not held, bounded so that messages naming made-up certificate URLs
 * cost little and cannot cheaply crowd out a genuine one:
 *
 * <ul>
 *   <li>whether a request fetches is decided under one lock, against the certificates {@link Kept}
 *       and the fetches in flight: a certificate kept just before is not fetched again;
 *   <li>one fetch per URL at a time: requests naming a URL being fetched wait for that fetch, at
 *       most {@link #MAX_WAITERS} of them, and {@link #MAX_WAITING} for all fetches together; a
 *       request beyond either is refused with 503 ({@code certificate-busy}) at once, and SNS
 *       retries it;
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

  /**
   * Requests that may wait for one fetch, besides the request fetching: a burst of SNS
   * notifications naming one new certificate (after a restart, or a rotation) is served by one
   * fetch.
   */
  static final int MAX_WAITERS = 32;

  /**
   * Requests that may wait for fetches in all, whatever their URLs: with {@link #MAX_IN_FLIGHT}, at
   * most 4 + 64 request threads are held by fetches.
   */
  static final int MAX_WAITING = 64;

  /** How long a URL that SNS refused is not fetched again. */
  static final Duration FAILURE_KEPT = Duration.ofMinutes(5);

  /** URLs that SNS refused, kept: the latest. */
  static final int MAX_FAILED = 256;

  private final Function<URI, X509Certificate> fetcher;
  private final Kept kept;
  private final Clock clock;
  private final Duration deadline;

  /** Guarded by this. */
  private final Map<String, Flight> inFlight = new HashMap<>();

  /** Requests waiting for a fetch of another request, all URLs together. Guarded by this. */
  private int waiting;

  /** Guarded by this; oldest first. */
  private final Map<String, Failure> failed = new LinkedHashMap<>();

  private record Failure(Refusal refusal, Instant until) {}

  /** One fetch and the requests waiting for it. */
  private static final class Flight {
    final CompletableFuture<X509Certificate> result = new CompletableFuture<>();

    /** Guarded by the fetches. */
    int waiters;
  }

  /** Where fetched certificates are kept, and looked up under the fetches' lock. */
  interface Kept {
    /** The certificate kept for {@code url}, or null. */
    X509Certificate get(String url);

    /** Keeps the certificate fetched from {@code url}. */
    void put(String url, X509Certificate cert);
  }

  /**
   * Fetches with {@code fetcher}, each fetch given up after {@code deadline}; a certificate fetched
   * is handed to {@code kept} before another request for its URL can start a fetch.
   */
  CertificateFetches(
      Function<URI, X509Certificate> fetcher, Kept kept, Clock clock, Duration deadline) {
    this.fetcher = fetcher;
    this.kept = kept;
    this.clock = clock;
    this.deadline = deadline;
  }

  /**
   * The certificate at {@code url}: kept, or fetched by this request or by one already fetching it.
   */
  X509Certificate fetch(String url) {
    Flight flight;
    boolean mine = false;
    synchronized (this) {
      X509Certificate held = kept.get(url);
      if (held != null) {
        return held;
      }
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
        flight = new Flight();
        inFlight.put(url, flight);
        mine = true;
      } else if (flight.waiters >= MAX_WAITERS) {
        throw new Refusal(
            503,
            "certificate-busy",
            MAX_WAITERS + " requests wait for this SigningCertURL's fetch already; retry later");
      } else if (waiting >= MAX_WAITING) {
        throw new Refusal(
            503,
            "certificate-busy",
            MAX_WAITING + " requests wait for SigningCertURL fetches already; retry later");
      } else {
        flight.waiters++;
        waiting++;
      }
    }
    if (mine) {
      Flight own = flight;
      own.result
          .orTimeout(deadline.toNanos(), TimeUnit.NANOSECONDS)
          .whenComplete((cert, e) -> ended(url, own, null));
      run(url, own);
      return outcome(own.result);
    }
    try {
      return outcome(flight.result);
    } finally {
      synchronized (this) {
        flight.waiters--;
        waiting--;
      }
    }
  }

  private void run(String url, Flight flight) {
    try {
      X509Certificate cert = fetcher.apply(URI.create(url));
      kept.put(url, cert);
      ended(url, flight, null);
      flight.result.complete(cert);
    } catch (Refusal r) {
      ended(url, flight, r);
      flight.result.completeExceptionally(r);
    } catch (RuntimeException | Error e) {
      ended(url, flight, null);
      flight.result.completeExceptionally(e);
    }
  }

  /**
   * Frees the URL and its slot when {@code flight} still holds them, and remembers a 403; a flight
   * given up at its deadline holds them no more, so what its fetch returns later is not remembered.
   */
  private synchronized void ended(String url, Flight flight, Refusal refusal) {
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
