package dev.postbus.feedback.verify;

import dev.postbus.feedback.model.Refusal;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * SNS signing certificates, fetched only over https from an allowed host ({@code
 * sns.<region>.amazonaws.com}), never following a redirect, and kept by URL; and the GET that
 * confirms a subscription, held to the same rule.
 */
public final class SigningCertificates {

  static final int MAX_CERTIFICATE_BYTES = 64 * 1024;
  static final int MAX_CACHED = 64;

  private final Pattern hosts;
  private final HttpClient http;
  private final Duration timeout;
  private final Clock clock;
  private final Function<URI, X509Certificate> source;
  private final Map<String, X509Certificate> cache = new ConcurrentHashMap<>();

  /**
   * The (TopicArn, SigningCertURL) pairs found {@link #allowed} before: the check depends on
   * nothing else, and parsing the URL again for every message cost 4% of the receiver's CPU.
   */
  private final Set<String> checked = ConcurrentHashMap.newKeySet();

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
    this.source = source != null ? source : this::fetch;
    this.hosts = hosts;
    this.timeout = timeout;
    this.clock = clock;
    HttpClient.Builder b =
        HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(timeout);
    if (trust != null) {
      b.sslContext(trust);
    }
    this.http = b.build();
  }

  /** SNS's own host name, whose second label is the region it serves. */
  private static final Pattern REGION_HOST =
      Pattern.compile("sns\\.([a-z0-9-]{1,30})\\.amazonaws\\.com");

  /**
   * The URL when it is https on an allowed host (no user info, default or explicit port) of the
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
   * The URL when it is https on an allowed host (no user info, default or explicit port); else 403.
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
    return uri;
  }

  /**
   * The certificate at {@code url} (from the cache when fetched before), valid now, served by SNS
   * of the region of {@code topicArn}.
   */
  public X509Certificate certificate(String url, String topicArn) {
    String pair = topicArn + "\n" + url;
    boolean known = checked.contains(pair);
    if (!known && !allowed(url, "SigningCertURL", topicArn).getPath().endsWith(".pem")) {
      throw Refusal.forbidden("certificate-url", "SigningCertURL: not a .pem file");
    }
    X509Certificate cert = cache.get(url);
    if (cert == null) {
      cert = source.apply(URI.create(url));
      if (cache.size() >= MAX_CACHED) {
        cache.clear(); // hostile URLs of an allowed host cannot grow it without bound
      }
      cache.put(url, cert);
    }
    if (!known) {
      if (checked.size() >= MAX_CACHED) {
        checked.clear();
      }
      checked.add(pair);
    }
    try {
      cert.checkValidity(Date.from(clock.instant()));
    } catch (CertificateException e) {
      throw Refusal.forbidden("certificate", "the SNS signing certificate is not valid now");
    }
    return cert;
  }

  /**
   * GETs a subscription's SubscribeURL (of SNS of the region of {@code topicArn}); false when SNS
   * did not answer 2xx.
   */
  public boolean confirm(String subscribeUrl, String topicArn) {
    URI uri = allowed(subscribeUrl, "SubscribeURL", topicArn);
    try {
      HttpResponse<Void> r =
          http.send(
              HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
              HttpResponse.BodyHandlers.discarding());
      return r.statusCode() / 100 == 2;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private X509Certificate fetch(URI uri) {
    try {
      HttpResponse<InputStream> r =
          http.send(
              HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
              HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = r.body()) {
        if (r.statusCode() != 200) {
          throw new Refusal(
              503, "certificate-unavailable", "SigningCertURL answered " + r.statusCode());
        }
        byte[] pem = in.readNBytes(MAX_CERTIFICATE_BYTES + 1);
        if (pem.length > MAX_CERTIFICATE_BYTES) {
          throw Refusal.forbidden("certificate", "SigningCertURL: larger than a certificate");
        }
        return (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem));
      }
    } catch (CertificateException | ClassCastException e) {
      throw Refusal.forbidden("certificate", "SigningCertURL: not an X.509 certificate");
    } catch (IOException e) {
      throw new Refusal(
          503,
          "certificate-unavailable",
          "SigningCertURL could not be fetched (" + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Refusal(503, "certificate-unavailable", "interrupted");
    }
  }
}
