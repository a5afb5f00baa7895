package dev.postbus.feedback.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postbus.feedback.model.Refusal;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * SNS signing certificates, fetched only over https from an allowed host ({@code
 * sns.<region>.amazonaws.com}), never following a redirect, and kept by URL; and the GET that
 * confirms a subscription, held to the same rule.
 *
 * <p>A certificate must be fetched before a message's signature can be checked, so anyone who knows
 * an allowed TopicArn can name new certificate URLs in unsigned messages. Hence: the URL must have
 * SNS's form ({@link #PEM_PATH}), naming no port (SNS's own is 443), and everything is kept by its
 * {@link #key(URI)}, one for all its spellings; the fetches are bounded by {@link
 * CertificateFetches} (one per URL at a time, {@link CertificateFetches#MAX_WAITERS} requests
 * waiting for it, {@link CertificateFetches#MAX_WAITING} for all, {@link
 * CertificateFetches#MAX_IN_FLIGHT} at once, each given at most {@link #FETCH_TIMEOUT} for the
 * whole fetch, body included, a URL SNS refused not fetched again for a while); a certificate that
 * verified a message is kept apart from those that have not yet ({@link HeldCertificates}), which
 * can never push it out.
 */
public final class SigningCertificates {

  static final int MAX_CERTIFICATE_BYTES = 64 * 1024;

  /** What of SNS's answer to a SubscribeURL is read (its body is not used). */
  static final int MAX_CONFIRMATION_BYTES = 16 * 1024;

  /** (TopicArn, SigningCertURL) pairs {@link #checked}. */
  static final int MAX_CACHED = 64;

  /** The only port of an SNS host: https's own. */
  static final int SNS_PORT = 443;

  /** The path of SNS's signing certificates: {@code /SimpleNotificationService-<hex>.pem}. */
  static final Pattern PEM_PATH =
      Pattern.compile("/SimpleNotificationService-[0-9a-fA-F]{1,64}\\.pem");

  /**
   * The longest a certificate fetch may take, from connecting to the last byte of the body, so that
   * its slot frees soon.
   */
  static final Duration FETCH_TIMEOUT = Duration.ofSeconds(3);

  /**
   * How much longer than its fetch a request waits for the certificate of a fetch in flight, before
   * it is refused with 503 and the fetch's slot is freed: the fetch's own timeout answers first.
   */
  static final Duration FETCH_GRACE = Duration.ofMillis(500);

  private final Pattern hosts;
  private final HttpClient http;
  private final Duration timeout;
  private final Duration fetchTimeout;
  private final Clock clock;
  private final CertificateFetches fetches;
  private final HeldCertificates held = new HeldCertificates();

  /**
   * The (TopicArn, SigningCertURL) pairs found {@link #allowed} before, each with its URL's {@link
   * #key(URI)}: the check depends on nothing else, and parsing the URL again for every message cost
   * 4% of the receiver's CPU.
   */
  private final Map<String, String> checked = new ConcurrentHashMap<>();

  /** Tests: run by a request that found its certificate not held, before it asks for a fetch. */
  private volatile Runnable beforeFetch = () -> {};

  public SigningCertificates(Pattern hosts, SSLContext trust, Duration timeout, Clock clock) {
    this(hosts, trust, timeout, clock, null);
  }

  /** Tests: certificates from {@code source} (when not null) instead of fetched over https. */
  SigningCertificates(
      Pattern hosts,
      SSLContext trust,
      Duration timeout,
      Clock clock,
      Function<URI, X509Certificate> source) {
    this.hosts = hosts;
    this.timeout = timeout;
    this.fetchTimeout = timeout.compareTo(FETCH_TIMEOUT) < 0 ? timeout : FETCH_TIMEOUT;
    this.clock = clock;
    this.fetches =
        new CertificateFetches(
            source != null ? source : this::fetch, held, clock, fetchTimeout.plus(FETCH_GRACE));
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(fetchTimeout);
    if (trust != null) {
      b.sslContext(trust);
    }
    this.http = b.build();
  }

  /** Tests: {@code hook} runs when a request found its certificate not held, before its fetch. */
  void beforeFetch(Runnable hook) {
    this.beforeFetch = hook;
  }

  /** SNS's own host name, whose second label is the region it serves. */
  private static final Pattern REGION_HOST =
      Pattern.compile("sns\\.([a-z0-9-]{1,30})\\.amazonaws\\.com");

  /**
   * The URL when it is https on an allowed host (no user info; on an SNS host no port) of the
   * topic's region; else 403. An SNS topic's messages are signed and confirmed by SNS of the
   * topic's own region ({@code arn:aws:sns:<region>:...}): a certificate of another region is
   * refused ({@code region}). A host outside {@code sns.<region>.amazonaws.com}, which only tests
   * allow, names no region and is not checked for one.
   */
  public URI allowed(String url, String field, String topicArn) {
    URI uri = allowed(url, field);
    java.util.regex.Matcher m = REGION_HOST.matcher(uri.getHost());
    String[] arn = topicArn.split(":", 6);
    String topicRegion = arn.length == 6 ? arn[3] : "";
    if (m.matches() && !m.group(1).equals(topicRegion)) {
      throw Refusal.forbidden(
          "region",
          field
              + ": from SNS of region "
              + m.group(1)
              + ", not of the TopicArn's region "
              + topicRegion);
    }
    return uri;
  }

  /**
   * The URL when it is https on an allowed host, with no user info; else 403. On SNS's own host
   * ({@code sns.<region>.amazonaws.com}) no port, not even {@link #SNS_PORT} or an empty one, as
   * SNS's URLs name none: AWS drops the packets to its other ports (each fetch would stall for its
   * whole timeout), and {@code :443}, {@code :0443} or {@code :} would be spellings of one
   * certificate's URL, which SNS does not sign. A host outside it, which only tests and dev allow,
   * may name any port.
   */
  public URI allowed(String url, String field) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw Refusal.forbidden("certificate-url", field + ": not a URL");
    }
    if (!"https".equals(uri.getScheme())
        || uri.getHost() == null
        || uri.getRawUserInfo() != null
        || !hosts.matcher(uri.getHost()).matches()) {
      throw Refusal.forbidden(
          "certificate-url",
          field + ": must be https from an SNS host (sns.<region>.amazonaws.com)");
    }
    if (!uri.getRawAuthority().equals(uri.getHost())
        && REGION_HOST.matcher(uri.getHost()).matches()) {
      throw Refusal.forbidden(
          "certificate-url",
          field + ": an SNS host is reached on port " + SNS_PORT + ", and its URLs name no port");
    }
    return uri;
  }

  /**
   * The URL by which a certificate is kept and fetched, one for all its spellings: {@code
   * https://host[:port]/path}, the host in lower case, a port only when named (never on an SNS
   * host, {@link #allowed}), as a number. The path was checked against {@link #PEM_PATH}.
   */
  static String key(URI uri) {
    String host = uri.getHost().toLowerCase(java.util.Locale.ROOT);
    return uri.getPort() == -1
        ? "https://" + host + uri.getRawPath()
        : "https://" + host + ":" + uri.getPort() + uri.getRawPath();
  }

  /**
   * Checks the SNS signature of {@code message} with the certificate at {@code url} (of SNS of the
   * region of {@code topicArn}); 403 when it does not verify. A certificate that verified is kept.
   */
  public void verify(JsonNode message, String url, String topicArn) {
    String pair = topicArn + "\n" + url;
    String key = key(pair, url, topicArn);
    X509Certificate cert = heldOrFetched(pair, key);
    SnsSignature.verify(message, cert);
    held.verifiedBy(key, cert);
  }

  /**
   * The certificate at {@code url} (kept when fetched before), valid now, served by SNS of the
   * region of {@code topicArn}; 503 when it is not held and {@link
   * CertificateFetches#MAX_IN_FLIGHT} other URLs are being fetched, or {@link
   * CertificateFetches#MAX_WAITERS} requests wait for its fetch ({@link
   * CertificateFetches#MAX_WAITING} for all fetches). Whether it is held is decided again under the
   * fetches' lock: one that verified a message is found here without it.
   */
  X509Certificate certificate(String url, String topicArn) {
    String pair = topicArn + "\n" + url;
    return heldOrFetched(pair, key(pair, url, topicArn));
  }

  /**
   * The URL's {@link #key(URI)}: of a (TopicArn, SigningCertURL) pair checked before, without
   * parsing it again; else once the URL is {@link #allowed} and has SNS's form; else 403.
   */
  private String key(String pair, String url, String topicArn) {
    String key = checked.get(pair);
    if (key != null) {
      return key;
    }
    URI uri = allowed(url, "SigningCertURL", topicArn);
    if (uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || !PEM_PATH.matcher(uri.getRawPath()).matches()) {
      throw Refusal.forbidden(
          "certificate-url", "SigningCertURL: not /SimpleNotificationService-<hex>.pem");
    }
    return key(uri);
  }

  /** The certificate kept or fetched by {@code key}; then {@code pair} is known to be checked. */
  private X509Certificate heldOrFetched(String pair, String key) {
    X509Certificate cert = held.verified(key);
    if (cert == null) {
      beforeFetch.run();
      cert = fetches.fetch(key);
    }
    if (!checked.containsKey(pair)) {
      if (checked.size() >= MAX_CACHED) {
        checked.clear();
      }
      checked.put(pair, key);
    }
    try {
      cert.checkValidity(Date.from(clock.instant()));
    } catch (CertificateException e) {
      throw Refusal.forbidden("certificate", "the SNS signing certificate is not valid now");
    }
    return cert;
  }

  /**
   * GETs a subscription's SubscribeURL (of SNS of the region of {@code topicArn}), the whole
   * exchange, body included, bounded by the timeout; 503 ({@code subscription}) naming the failure
   * when SNS did not answer 2xx within it.
   */
  public void confirm(String subscribeUrl, String topicArn) {
    URI uri = allowed(subscribeUrl, "SubscribeURL", topicArn);
    int status =
        exchange(uri, timeout, MAX_CONFIRMATION_BYTES, "SubscribeURL", "subscription").statusCode();
    if (status / 100 != 2) {
      throw new Refusal(
          503,
          "subscription",
          "SNS did not confirm the subscription: SubscribeURL answered " + status);
    }
  }

  /** Fetches the certificate at {@code uri}, the whole fetch bounded by the fetch timeout. */
  X509Certificate fetch(URI uri) {
    HttpResponse<byte[]> r =
        exchange(
            uri, fetchTimeout, MAX_CERTIFICATE_BYTES, "SigningCertURL", "certificate-unavailable");
    int status = r.statusCode();
    if (status / 100 == 4 && status != 429) {
      throw Refusal.forbidden("certificate-absent", "SigningCertURL answered " + status);
    }
    if (status != 200) {
      throw new Refusal(503, "certificate-unavailable", "SigningCertURL answered " + status);
    }
    byte[] pem = r.body();
    if (pem.length > MAX_CERTIFICATE_BYTES) {
      throw Refusal.forbidden("certificate", "SigningCertURL: larger than a certificate");
    }
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(pem));
    } catch (CertificateException | ClassCastException e) {
      throw Refusal.forbidden("certificate", "SigningCertURL: not an X.509 certificate");
    }
  }

  /**
   * GETs {@code uri}, the whole exchange bounded by {@code bound}: {@link HttpRequest#timeout} ends
   * once the headers arrive (JDK-8258397), so the body (of a 2xx answer: at most {@code maxBody}
   * bytes read; of another, none) is read by the client's threads and this one waits for it at most
   * until the deadline, then cancels the exchange. 503 ({@code reason}, naming {@code field}) when
   * it did not end in time or failed.
   */
  private HttpResponse<byte[]> exchange(
      URI uri, Duration bound, int maxBody, String field, String reason) {
    CompletableFuture<HttpResponse<byte[]>> exchange =
        http.sendAsync(
            HttpRequest.newBuilder(uri).timeout(bound).GET().build(),
            info -> new BoundedBody(info.statusCode() / 100 == 2 ? maxBody : 0));
    try {
      return exchange.get(bound.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      exchange.cancel(true);
      throw new Refusal(
          503, reason, field + ": no answer within " + bound.toMillis() + " ms; retry later");
    } catch (ExecutionException e) {
      throw new Refusal(
          503,
          reason,
          field + " could not be reached (" + e.getCause().getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      throw new Refusal(503, reason, field + ": interrupted");
    }
  }
}
