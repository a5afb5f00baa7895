package dev.postbus.feedback.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.feedback.SnsMessages;
import dev.postbus.feedback.TestCa;
import dev.postbus.feedback.config.FeedbackConfig;
import dev.postbus.feedback.model.Refusal;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class SigningCertificatesTest {

  private final SigningCertificates certificates =
      new SigningCertificates(
          FeedbackConfig.SNS_HOSTS, null, Duration.ofSeconds(1), Clock.systemUTC());

  @Test
  void onlyHttpsFromAnSnsRegionHostIsAllowed() {
    assertThat(
            certificates
                .allowed(
                    "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem", "f")
                .getHost())
        .isEqualTo("sns.eu-west-1.amazonaws.com");
    for (String url :
        new String[] {
          "http://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem",
          "https://sns.eu-west-1.amazonaws.com.evil.example/x.pem",
          "https://evil.example/sns.eu-west-1.amazonaws.com/x.pem",
          "https://sns.eu-west-1.amazonaws.com@evil.example/x.pem",
          "https://user@sns.eu-west-1.amazonaws.com/x.pem",
          "https://s3.amazonaws.com/x.pem",
          "file:///etc/passwd",
          "not a url"
        }) {
      assertThatThrownBy(() -> certificates.allowed(url, "SigningCertURL"))
          .as(url)
          .isInstanceOfSatisfying(
              Refusal.class, r -> assertThat(r.reason()).isEqualTo("certificate-url"));
    }
  }

  private static final String ARN = "arn:aws:sns:eu-west-1:123456789012:ses-feedback";

  @Test
  void theSnsHostMustServeTheTopicsRegion() {
    assertThat(
            certificates
                .allowed(
                    "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-a.pem", "f", ARN)
                .getHost())
        .isEqualTo("sns.eu-west-1.amazonaws.com");
    for (String url :
        new String[] {
          "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem",
          "https://sns.eu-west-2.amazonaws.com/SimpleNotificationService-a.pem",
          "https://sns.eu-west-1a.amazonaws.com/SimpleNotificationService-a.pem"
        }) {
      assertThatThrownBy(() -> certificates.allowed(url, "SigningCertURL", ARN))
          .as(url)
          .isInstanceOfSatisfying(
              Refusal.class,
              r -> {
                assertThat(r.status()).isEqualTo(403);
                assertThat(r.reason()).isEqualTo("region");
              });
    }
    assertThatThrownBy(
            () ->
                certificates.allowed(
                    "https://sns.eu-west-1.amazonaws.com/x.pem", "SigningCertURL", "not-an-arn"))
        .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.reason()).isEqualTo("region"));
  }

  @Test
  void aCertificateUrlMustNameAPemFile() {
    assertThatThrownBy(
            () -> certificates.certificate("https://sns.eu-west-1.amazonaws.com/x.txt", ARN))
        .isInstanceOf(Refusal.class)
        .hasMessageContaining(".pem");
  }

  private static final String PEM_URL =
      "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-a.pem";

  @Test
  void aCheckedPairDoesNotLetTheSameUrlServeATopicOfAnotherRegion() {
    AtomicInteger fetched = new AtomicInteger();
    X509Certificate cert = signingCertificate();
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS,
            null,
            Duration.ofSeconds(1),
            Clock.systemUTC(),
            uri -> {
              fetched.incrementAndGet();
              return cert;
            });

    assertThat(certs.certificate(PEM_URL, ARN)).isSameAs(cert);
    assertThat(certs.certificate(PEM_URL, ARN)).isSameAs(cert);
    assertThatThrownBy(
            () -> certs.certificate(PEM_URL, "arn:aws:sns:us-east-1:123456789012:ses-feedback"))
        .isInstanceOfSatisfying(
            Refusal.class,
            r -> {
              assertThat(r.status()).isEqualTo(403);
              assertThat(r.reason()).isEqualTo("region");
              assertThat(r.getMessage()).contains("eu-west-1", "us-east-1");
            });
    assertThat(fetched).hasValue(1);
  }

  @Test
  void aCheckedPairIsRefusedOnceItsCertificateHasExpired() {
    X509Certificate cert = signingCertificate();
    MutableClock clock = new MutableClock(Instant.now());
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS, null, Duration.ofSeconds(1), clock, uri -> cert);
    assertThat(certs.certificate(PEM_URL, ARN)).isSameAs(cert);

    clock.now = cert.getNotAfter().toInstant().plusSeconds(1);

    assertThatThrownBy(() -> certs.certificate(PEM_URL, ARN))
        .isInstanceOfSatisfying(
            Refusal.class,
            r -> {
              assertThat(r.status()).isEqualTo(403);
              assertThat(r.reason()).isEqualTo("certificate");
            });
  }

  /** A certificate URL of SNS's form that SNS does not serve (SNS answers 404). */
  private static String madeUp(int i) {
    return "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-"
        + (0xbad00 + i)
        + ".pem";
  }

  /** What the fetch of a certificate SNS does not serve refuses with. */
  private static Refusal notServed() {
    return Refusal.forbidden("certificate-absent", "SigningCertURL answered 404");
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A notification naming {@code url}, signed with {@code key}. */
  private static JsonNode message(String url, KeyPair key, Instant at) throws Exception {
    return JSON.readTree(
        SnsMessages.signed(
            SnsMessages.notification(ARN, "m-" + url.hashCode(), "{}", at, url),
            2,
            key.getPrivate()));
  }

  @Test
  void aMadeUpCertificateUrlWhoseFetchFailedIsNotFetchedAgainForMinutes() throws Exception {
    AtomicInteger fetched = new AtomicInteger();
    MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS,
            null,
            Duration.ofSeconds(1),
            clock,
            uri -> {
              fetched.incrementAndGet();
              throw notServed();
            });
    JsonNode unsigned = message(madeUp(0), TestCa.rsa(), clock.now);

    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(() -> deliver(certs, unsigned))
          .isInstanceOfSatisfying(
              Refusal.class, r -> assertThat(r.reason()).isEqualTo("certificate-absent"));
    }
    assertThat(fetched).as("fetches for 10 requests naming one made-up URL").hasValue(1);

    clock.now = clock.now.plus(CertificateFetches.FAILURE_KEPT).minusSeconds(1);
    assertThatThrownBy(() -> deliver(certs, unsigned)).isInstanceOf(Refusal.class);
    assertThat(fetched).hasValue(1);
    clock.now = clock.now.plusSeconds(1);
    assertThatThrownBy(() -> deliver(certs, unsigned)).isInstanceOf(Refusal.class);
    assertThat(fetched).as("fetched again once the failure is forgotten").hasValue(2);
  }

  @Test
  void onlyTheLatestFailedUrlsAreRemembered() throws Exception {
    AtomicInteger fetched = new AtomicInteger();
    MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS,
            null,
            Duration.ofSeconds(1),
            clock,
            uri -> {
              fetched.incrementAndGet();
              throw notServed();
            });
    KeyPair attacker = TestCa.rsa();
    for (int i = 0; i <= CertificateFetches.MAX_FAILED; i++) {
      JsonNode unsigned = message(madeUp(i), attacker, clock.now);
      assertThatThrownBy(() -> deliver(certs, unsigned)).isInstanceOf(Refusal.class);
    }
    int before = fetched.get();

    JsonNode latest = message(madeUp(CertificateFetches.MAX_FAILED), attacker, clock.now);
    assertThatThrownBy(() -> deliver(certs, latest)).isInstanceOf(Refusal.class);
    assertThat(fetched).as("the latest failure is remembered").hasValue(before);
    JsonNode first = message(madeUp(0), attacker, clock.now);
    assertThatThrownBy(() -> deliver(certs, first)).isInstanceOf(Refusal.class);
    assertThat(fetched).as("the oldest was forgotten").hasValue(before + 1);
  }

  @Test
  void aFetchThatCouldNotReachSnsIsNotRemembered() throws Exception {
    AtomicInteger fetched = new AtomicInteger();
    MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS,
            null,
            Duration.ofSeconds(1),
            clock,
            uri -> {
              fetched.incrementAndGet();
              throw new Refusal(503, "certificate-unavailable", "timed out");
            });
    JsonNode m = message(PEM_URL, TestCa.rsa(), clock.now);
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> deliver(certs, m))
          .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.status()).isEqualTo(503));
    }
    assertThat(fetched).as("SNS retries; each retry fetches").hasValue(3);
  }

  @Test
  void aGenuineCertificateIsFetchedAfterManyMadeUpUrlsFailed() throws Exception {
    KeyPair sns = TestCa.rsa();
    X509Certificate genuine = new TestCa().issue("CN=sns.amazonaws.com", sns, null);
    AtomicInteger fetched = new AtomicInteger();
    MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS,
            null,
            Duration.ofSeconds(1),
            clock,
            uri -> {
              fetched.incrementAndGet();
              if (uri.toString().equals(PEM_URL)) {
                return genuine;
              }
              throw notServed();
            });
    KeyPair attacker = TestCa.rsa();
    for (int i = 0; i < 10; i++) {
      JsonNode unsigned = message(madeUp(i), attacker, clock.now);
      assertThatThrownBy(() -> deliver(certs, unsigned)).isInstanceOf(Refusal.class);
    }

    deliver(certs, message(PEM_URL, sns, clock.now));

    assertThat(fetched).hasValue(11);
  }

  @Test
  void concurrentRequestsForOneCertificateShareOneFetch() throws Exception {
    KeyPair sns = TestCa.rsa();
    X509Certificate genuine = new TestCa().issue("CN=sns.amazonaws.com", sns, null);
    AtomicInteger fetched = new AtomicInteger();
    CountDownLatch answer = new CountDownLatch(1);
    MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS,
            null,
            SigningCertificates.FETCH_TIMEOUT,
            clock,
            uri -> {
              fetched.incrementAndGet();
              await(answer);
              return genuine;
            });
    JsonNode m = message(PEM_URL, sns, clock.now);
    List<Thread> requests = new ArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    int requesting = 1 + CertificateFetches.MAX_WAITERS; // the fetching one and its waiters
    for (int i = 0; i < requesting; i++) {
      Thread t = new Thread(() -> deliver(certs, m), "request-" + i);
      t.setUncaughtExceptionHandler((th, e) -> failures.add(e));
      requests.add(t);
      t.start();
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> requests.stream().allMatch(SigningCertificatesTest::parked));

    answer.countDown();
    for (Thread t : requests) {
      t.join(Duration.ofSeconds(30).toMillis());
    }

    assertThat(failures).isEmpty();
    assertThat(fetched)
        .as("fetches for %d concurrent requests naming one URL", requesting)
        .hasValue(1);
  }

  @Test
  void madeUpUrlsBeyondTheFetchesInFlightAreRefusedWithoutAFetch() throws Exception {
    AtomicInteger fetched = new AtomicInteger();
    CountDownLatch answer = new CountDownLatch(1);
    MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS,
            null,
            SigningCertificates.FETCH_TIMEOUT,
            clock,
            uri -> {
              fetched.incrementAndGet();
              await(answer);
              throw notServed();
            });
    KeyPair attacker = TestCa.rsa();
    List<Thread> requests = new ArrayList<>();
    for (int i = 0; i < CertificateFetches.MAX_IN_FLIGHT; i++) {
      JsonNode unsigned = message(madeUp(i), attacker, clock.now);
      Thread t = new Thread(() -> deliver(certs, unsigned), "request-" + i);
      t.setUncaughtExceptionHandler((th, e) -> {});
      requests.add(t);
      t.start();
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> fetched.get() == CertificateFetches.MAX_IN_FLIGHT);

    JsonNode excess = message(madeUp(99), attacker, clock.now);
    assertThatThrownBy(() -> deliver(certs, excess))
        .isInstanceOfSatisfying(
            Refusal.class,
            r -> {
              assertThat(r.status()).isEqualTo(503);
              assertThat(r.reason()).isEqualTo("certificate-busy");
            });
    assertThat(fetched).as("no fetch for the excess").hasValue(CertificateFetches.MAX_IN_FLIGHT);

    answer.countDown();
    for (Thread t : requests) {
      t.join(Duration.ofSeconds(30).toMillis());
    }
    assertThatThrownBy(() -> deliver(certs, excess))
        .isInstanceOfSatisfying(
            Refusal.class, r -> assertThat(r.reason()).isEqualTo("certificate-absent"));
    assertThat(fetched).as("a slot is free again").hasValue(CertificateFetches.MAX_IN_FLIGHT + 1);
  }

  /**
   * The fetch bound these tests give (their {@code timeout} of 1 s shortens {@link
   * SigningCertificates#FETCH_TIMEOUT}); real time: neither the JDK's HttpClient nor the fetch's
   * deadline reads the injected clock.
   */
  private static final Duration TEST_FETCH_TIMEOUT = Duration.ofSeconds(1);

  /** How much later than the fetch bound a stalled fetch may end, on a busy machine. */
  private static final Duration MARGIN = Duration.ofSeconds(2);

  @Test
  void aStalledFetchHoldsItsWaitersAndItsSlotForNoLongerThanTheFetchTimeout() throws Exception {
    KeyPair sns = TestCa.rsa();
    X509Certificate genuine = new TestCa().issue("CN=sns.amazonaws.com", sns, null);
    AtomicInteger fetched = new AtomicInteger();
    CountDownLatch never = new CountDownLatch(1);
    MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS,
            null,
            TEST_FETCH_TIMEOUT,
            clock,
            uri -> {
              if (uri.toString().equals(PEM_URL)) {
                return genuine;
              }
              fetched.incrementAndGet();
              await(never); // SNS answered the headers, then the path blackholed mid-body
              throw new IllegalStateException("released at the end of the test");
            });
    KeyPair attacker = TestCa.rsa();
    try {
      for (int i = 0; i < CertificateFetches.MAX_IN_FLIGHT; i++) {
        JsonNode unsigned = message(madeUp(i), attacker, clock.now);
        Thread t = new Thread(() -> deliver(certs, unsigned), "stalled-" + i);
        t.setUncaughtExceptionHandler((th, e) -> {});
        t.start();
      }
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> fetched.get() == CertificateFetches.MAX_IN_FLIGHT);
      JsonNode waiter = message(madeUp(0), attacker, clock.now);

      assertTimeoutPreemptively(
          TEST_FETCH_TIMEOUT.plus(MARGIN),
          () ->
              assertThatThrownBy(() -> deliver(certs, waiter))
                  .as("a request waiting for a stalled fetch of its URL")
                  .isInstanceOfSatisfying(
                      Refusal.class,
                      r -> {
                        assertThat(r.status()).isEqualTo(503);
                        assertThat(r.reason()).isEqualTo("certificate-unavailable");
                      }));

      JsonNode genuineMessage = message(PEM_URL, sns, clock.now);
      Awaitility.await()
          .atMost(TEST_FETCH_TIMEOUT.plus(MARGIN))
          .ignoreExceptions()
          .untilAsserted(() -> deliver(certs, genuineMessage));
      Thread again = new Thread(() -> deliver(certs, waiter), "again");
      again.setUncaughtExceptionHandler((th, e) -> {});
      again.start();
      Awaitility.await("a URL whose fetch timed out is fetched again, not refused from memory")
          .atMost(Duration.ofSeconds(30))
          .until(() -> fetched.get() == CertificateFetches.MAX_IN_FLIGHT + 1);
    } finally {
      never.countDown();
    }
  }

  @Test
  void aCertificateServerThatStallsMidBodyIsGivenUpAfterTheFetchTimeout() throws Exception {
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS, null, TEST_FETCH_TIMEOUT, Clock.systemUTC());
    AtomicBoolean hungUp = new AtomicBoolean();
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread sns = new Thread(() -> answerHeadersThenStall(server, hungUp), "stalling-sns");
      sns.setDaemon(true);
      sns.start();
      URI uri =
          URI.create(
              "http://127.0.0.1:" + server.getLocalPort() + "/SimpleNotificationService-a.pem");

      assertTimeoutPreemptively(
          TEST_FETCH_TIMEOUT.plus(MARGIN),
          () ->
              assertThatThrownBy(() -> certs.fetch(uri))
                  .isInstanceOfSatisfying(
                      Refusal.class,
                      r -> {
                        assertThat(r.status()).isEqualTo(503);
                        assertThat(r.reason()).isEqualTo("certificate-unavailable");
                      }));
      Awaitility.await("the exchange given up is closed")
          .atMost(Duration.ofSeconds(30))
          .untilTrue(hungUp);
    }
  }

  /**
   * Answers one request with 200 headers and the first line of a 2,000-byte body, then sends
   * nothing more; {@code hungUp} once the client closed the connection.
   */
  private static void answerHeadersThenStall(ServerSocket server, AtomicBoolean hungUp) {
    try (Socket s = server.accept()) {
      s.setSoTimeout((int) Duration.ofSeconds(60).toMillis());
      BufferedReader request =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      for (String line = request.readLine(); line != null && !line.isEmpty(); ) {
        line = request.readLine();
      }
      OutputStream out = s.getOutputStream();
      out.write(
          ("HTTP/1.1 200 OK\r\n"
                  + "Content-Type: application/x-pem-file\r\n"
                  + "Content-Length: 2000\r\n"
                  + "\r\n"
                  + "-----BEGIN CERTIFICATE-----\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      while (s.getInputStream().read() >= 0) {
        // what the client sends more is not read
      }
      hungUp.set(true);
    } catch (SocketException | SSLException e) {
      hungUp.set(true); // reset by the client
    } catch (IOException e) {
      // the test has ended
    }
  }

  @Test
  void madeUpUrlsThatFetchACertificateEvictNoGenuineOne() throws Exception {
    KeyPair sns = TestCa.rsa();
    X509Certificate genuine = new TestCa().issue("CN=sns.amazonaws.com", sns, null);
    X509Certificate other = signingCertificate();
    AtomicInteger fetched = new AtomicInteger();
    MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS,
            null,
            Duration.ofSeconds(1),
            clock,
            uri -> {
              fetched.incrementAndGet();
              return uri.toString().equals(PEM_URL) ? genuine : other;
            });
    JsonNode genuineMessage = message(PEM_URL, sns, clock.now);
    deliver(certs, genuineMessage);
    KeyPair attacker = TestCa.rsa();
    for (int i = 0; i < 2 * SigningCertificates.MAX_CACHED; i++) {
      JsonNode unsigned = message(madeUp(i), attacker, clock.now);
      assertThatThrownBy(() -> deliver(certs, unsigned))
          .isInstanceOfSatisfying(
              Refusal.class, r -> assertThat(r.reason()).isEqualTo("signature"));
    }
    int before = fetched.get();

    deliver(certs, genuineMessage);

    assertThat(fetched).as("the genuine certificate is still held").hasValue(before);
  }

  @Test
  void aCertificateUrlMustHaveTheFormSnsGivesIt() {
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS,
            null,
            Duration.ofSeconds(1),
            Clock.systemUTC(),
            uri -> {
              throw new AssertionError("fetched " + uri);
            });
    for (String path :
        new String[] {
          "/x.pem",
          "/SimpleNotificationService-.pem",
          "/SimpleNotificationService-xyz.pem",
          "/SimpleNotificationService-abc.pem/x.pem",
          "/a/SimpleNotificationService-abc.pem",
          "/SimpleNotificationService-abc.pem.txt",
          "/SimpleNotificationService-abc.pem?v=1",
          "/SimpleNotificationService-abc.pem#f"
        }) {
      assertThatThrownBy(() -> certs.certificate("https://sns.eu-west-1.amazonaws.com" + path, ARN))
          .as(path)
          .isInstanceOfSatisfying(
              Refusal.class, r -> assertThat(r.reason()).isEqualTo("certificate-url"));
    }
  }

  @Test
  void aCertificateUrlOnAnSnsHostNamingAPortIsRefusedWithoutAFetch() {
    AtomicInteger fetched = new AtomicInteger();
    X509Certificate cert = signingCertificate();
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS,
            null,
            Duration.ofSeconds(1),
            Clock.systemUTC(),
            uri -> {
              fetched.incrementAndGet();
              return cert;
            });

    assertThatThrownBy(
            () ->
                certs.certificate(
                    "https://sns.eu-west-1.amazonaws.com:8443/SimpleNotificationService-0a.pem",
                    ARN))
        .isInstanceOfSatisfying(
            Refusal.class,
            r -> {
              assertThat(r.status()).isEqualTo(403);
              assertThat(r.reason()).isEqualTo("certificate-url");
            });
    assertThat(fetched).as("fetches for a URL naming port 8443").hasValue(0);

    assertThat(
            certs.certificate(
                "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0a.pem", ARN))
        .isSameAs(cert);
    assertThat(fetched).as("no port named").hasValue(1);
  }

  @Test
  void aSubscribeUrlOnAnSnsHostNamingAnotherPortThan443IsRefused() {
    assertThatThrownBy(
            () ->
                certificates.allowed(
                    "https://sns.eu-west-1.amazonaws.com:8443/?Action=ConfirmSubscription",
                    "SubscribeURL",
                    ARN))
        .isInstanceOfSatisfying(
            Refusal.class,
            r -> {
              assertThat(r.status()).isEqualTo(403);
              assertThat(r.reason()).isEqualTo("certificate-url");
            });
  }

  @Test
  void aTestHostMayNameAnyPort() {
    SigningCertificates local =
        new SigningCertificates(
            Pattern.compile("localhost"), null, Duration.ofSeconds(1), Clock.systemUTC());

    assertThat(
            local
                .allowed("https://localhost:8443/SimpleNotificationService-0a.pem", "f", ARN)
                .getPort())
        .isEqualTo(8443);
  }

  @Test
  void requestsBeyondTheWaitersOfOneFetchAreRefusedAtOnce() throws Exception {
    KeyPair sns = TestCa.rsa();
    X509Certificate genuine = new TestCa().issue("CN=sns.amazonaws.com", sns, null);
    AtomicInteger fetched = new AtomicInteger();
    CountDownLatch answer = new CountDownLatch(1);
    MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS,
            null,
            SigningCertificates.FETCH_TIMEOUT,
            clock,
            uri -> {
              fetched.incrementAndGet();
              await(answer);
              return genuine;
            });
    JsonNode m = message(PEM_URL, sns, clock.now);
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    Thread fetching = new Thread(() -> deliver(certs, m), "fetching");
    fetching.setUncaughtExceptionHandler((th, e) -> failures.add(e));
    fetching.start();
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> fetched.get() == 1);
    int many = 4 * CertificateFetches.MAX_WAITERS;
    List<Thread> requests = new ArrayList<>();
    for (int i = 0; i < many; i++) {
      Thread t = new Thread(() -> deliver(certs, m), "request-" + i);
      t.setUncaughtExceptionHandler((th, e) -> failures.add(e));
      requests.add(t);
      t.start();
    }

    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                requests.stream()
                    .allMatch(t -> parked(t) || t.getState() == Thread.State.TERMINATED));
    assertThat(requests.stream().filter(SigningCertificatesTest::parked))
        .as("requests waiting for the fetch of one URL")
        .hasSize(CertificateFetches.MAX_WAITERS);
    assertThat(failures)
        .as("the requests beyond them, answered before the fetch ended")
        .hasSize(many - CertificateFetches.MAX_WAITERS)
        .allSatisfy(
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        Refusal.class,
                        r -> {
                          assertThat(r.status()).isEqualTo(503);
                          assertThat(r.reason()).isEqualTo("certificate-busy");
                        }));

    answer.countDown();
    fetching.join(Duration.ofSeconds(30).toMillis());
    for (Thread t : requests) {
      t.join(Duration.ofSeconds(30).toMillis());
    }
    assertThat(failures)
        .as("the waiters got the certificate")
        .hasSize(many - CertificateFetches.MAX_WAITERS);
    assertThat(fetched).hasValue(1);

    deliver(certs, m);
    assertThat(fetched).as("a held certificate is not fetched").hasValue(1);
  }

  @Test
  void aSubscribeUrlThatStallsAfterItsHeadersIsGivenUpAfterTheTimeout() throws Exception {
    TestCa ca = new TestCa();
    KeyPair tls = TestCa.rsa();
    SSLContext serverContext = ca.serverContext(tls, ca.issue("CN=localhost", tls, "localhost"));
    SigningCertificates certs =
        new SigningCertificates(
            Pattern.compile("localhost"),
            ca.clientContext(),
            TEST_FETCH_TIMEOUT,
            Clock.systemUTC());
    AtomicBoolean hungUp = new AtomicBoolean();
    try (ServerSocket server =
        serverContext
            .getServerSocketFactory()
            .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread sns = new Thread(() -> answerHeadersThenStall(server, hungUp), "stalling-sns");
      sns.setDaemon(true);
      sns.start();
      String url =
          "https://localhost:" + server.getLocalPort() + "/?Action=ConfirmSubscription&Token=a";

      assertTimeoutPreemptively(
          TEST_FETCH_TIMEOUT.plus(MARGIN),
          () ->
              assertThatThrownBy(() -> certs.confirm(url, ARN))
                  .isInstanceOfSatisfying(
                      Refusal.class,
                      r -> {
                        assertThat(r.status()).isEqualTo(503);
                        assertThat(r.reason()).isEqualTo("subscription");
                        assertThat(r.getMessage())
                            .contains("SubscribeURL", "no answer within 1000 ms");
                      }));
      Awaitility.await("the exchange given up is closed")
          .atMost(Duration.ofSeconds(30))
          .untilTrue(hungUp);
    }
  }

  @Test
  void aRequestThatMissedTheCertificateJustBeforeItsFetchEndedDoesNotFetchItAgain()
      throws Exception {
    X509Certificate cert = signingCertificate();
    AtomicInteger fetched = new AtomicInteger();
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS,
            null,
            Duration.ofSeconds(1),
            Clock.systemUTC(),
            uri -> {
              fetched.incrementAndGet();
              return cert;
            });
    CountDownLatch fetchEnded = new CountDownLatch(1);
    CountDownLatch lateMissed = new CountDownLatch(1);
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    Thread late =
        new Thread(() -> assertThat(certs.certificate(PEM_URL, ARN)).isSameAs(cert), "late");
    late.setUncaughtExceptionHandler((th, e) -> failures.add(e));
    certs.beforeFetch(
        () -> {
          if (Thread.currentThread() == late) {
            lateMissed.countDown();
            await(fetchEnded); // the other request fetches and stores it meanwhile
          }
        });
    late.start();
    await(lateMissed);

    assertThat(certs.certificate(PEM_URL, ARN)).isSameAs(cert);
    fetchEnded.countDown();
    late.join(Duration.ofSeconds(30).toMillis());

    assertThat(failures).isEmpty();
    assertThat(fetched)
        .as("fetches of one URL, the second request deciding after the first's fetch ended")
        .hasValue(1);
  }

  /** True when the thread waits (on the fetch, or on another request's fetch). */
  /**
   * SigningCertURL is not in SNS's signed text: a genuine message replayed with other spellings of
   * its URL (:443, :0443, :00443, an empty port: all port 443 to java.net.URI) is refused on an SNS
   * host, fetches nothing, and cannot push the genuine certificate out of those that verified.
   */
  @Test
  void spellingsOfAGenuineCertificateUrlNamingAPortAreRefusedWithoutAFetch() throws Exception {
    KeyPair sns = TestCa.rsa();
    X509Certificate genuine = new TestCa().issue("CN=sns.amazonaws.com", sns, null);
    AtomicInteger fetched = new AtomicInteger();
    MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS,
            null,
            Duration.ofSeconds(1),
            clock,
            uri -> {
              fetched.incrementAndGet();
              return genuine;
            });
    JsonNode m = message(PEM_URL, sns, clock.now);
    certs.verify(m, PEM_URL, ARN);

    for (String port : new String[] {":443", ":0443", ":00443", ":"}) {
      String url =
          "https://sns.eu-west-1.amazonaws.com" + port + "/SimpleNotificationService-a.pem";
      assertThatThrownBy(() -> certs.verify(m, url, ARN))
          .as(url)
          .isInstanceOfSatisfying(
              Refusal.class,
              r -> {
                assertThat(r.status()).isEqualTo(403);
                assertThat(r.reason()).isEqualTo("certificate-url");
              });
    }
    assertThat(fetched).as("fetches for the genuine URL and its spellings").hasValue(1);

    certs.verify(m, PEM_URL, ARN);
    assertThat(fetched).as("the genuine certificate is still held").hasValue(1);
  }

  /** On a host that may name a port (tests, dev), spellings of one URL share one certificate. */
  @Test
  void spellingsOfOneUrlShareOneFetch() throws Exception {
    KeyPair key = TestCa.rsa();
    X509Certificate cert = new TestCa().issue("CN=localhost", key, null);
    AtomicInteger fetched = new AtomicInteger();
    MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    SigningCertificates certs =
        new SigningCertificates(
            Pattern.compile("localhost"),
            null,
            Duration.ofSeconds(1),
            clock,
            uri -> {
              fetched.incrementAndGet();
              return cert;
            });
    String url = "https://localhost:8443/SimpleNotificationService-a.pem";
    JsonNode m = message(url, key, clock.now);
    certs.verify(m, url, ARN);

    certs.verify(m, "https://localhost:08443/SimpleNotificationService-a.pem", ARN);

    assertThat(fetched).as("fetches for two spellings of one URL").hasValue(1);
  }

  /**
   * After a restart or a certificate rotation SNS sends many notifications at once naming one new
   * URL: one fetch serves them all.
   */
  @Test
  void aBurstOfTenRequestsForOneNewCertificateAllGetIt() throws Exception {
    X509Certificate cert = signingCertificate();
    AtomicInteger fetched = new AtomicInteger();
    CountDownLatch answer = new CountDownLatch(1);
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS,
            null,
            SigningCertificates.FETCH_TIMEOUT,
            new MutableClock(Instant.parse("2026-12-07T10:00:00Z")),
            uri -> {
              fetched.incrementAndGet();
              await(answer);
              return cert;
            });
    List<Thread> requests = new ArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 10; i++) {
      Thread t =
          new Thread(
              () -> assertThat(certs.certificate(PEM_URL, ARN)).isSameAs(cert), "request-" + i);
      t.setUncaughtExceptionHandler((th, e) -> failures.add(e));
      requests.add(t);
      t.start();
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                requests.stream()
                    .allMatch(t -> parked(t) || t.getState() == Thread.State.TERMINATED));

    answer.countDown();
    for (Thread t : requests) {
      t.join(Duration.ofSeconds(30).toMillis());
    }

    assertThat(failures).as("requests refused").isEmpty();
    assertThat(fetched).hasValue(1);
  }

  /** At most 64 requests wait for fetches in all: the next is refused at once, whatever its URL. */
  @Test
  void theRequestBeyondAllTheWaitersIsRefusedAtOnce() throws Exception {
    X509Certificate cert = signingCertificate();
    AtomicInteger fetched = new AtomicInteger();
    CountDownLatch answer = new CountDownLatch(1);
    SigningCertificates certs =
        new SigningCertificates(
            FeedbackConfig.SNS_HOSTS,
            null,
            SigningCertificates.FETCH_TIMEOUT,
            new MutableClock(Instant.parse("2026-12-07T10:00:00Z")),
            uri -> {
              fetched.incrementAndGet();
              await(answer);
              return cert;
            });
    List<Thread> requests = new ArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    int urls = CertificateFetches.MAX_IN_FLIGHT;
    int each = 1 + CertificateFetches.MAX_WAITING / urls; // the fetching one and its share
    for (int u = 0; u < urls; u++) {
      String url = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-a" + u + ".pem";
      for (int i = 0; i < each; i++) {
        Thread t = new Thread(() -> certs.certificate(url, ARN), "request-" + u + "-" + i);
        t.setUncaughtExceptionHandler((th, e) -> failures.add(e));
        requests.add(t);
        t.start();
      }
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> requests.stream().allMatch(SigningCertificatesTest::parked));
    assertThat(fetched).hasValue(urls);

    assertThatThrownBy(() -> certs.certificate(PEM_URL.replace("-a.", "-a0."), ARN))
        .as("a request beyond %d waiting", CertificateFetches.MAX_WAITING)
        .isInstanceOfSatisfying(
            Refusal.class,
            r -> {
              assertThat(r.status()).isEqualTo(503);
              assertThat(r.reason()).isEqualTo("certificate-busy");
            });

    answer.countDown();
    for (Thread t : requests) {
      t.join(Duration.ofSeconds(30).toMillis());
    }
    assertThat(failures).as("the waiters got their certificates").isEmpty();
  }

  private static boolean parked(Thread t) {
    Thread.State s = t.getState();
    return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test did not answer the fetch");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** What the SNS endpoint does with a message once its topic and timestamp passed. */
  private static void deliver(SigningCertificates certs, JsonNode m) {
    certs.verify(m, m.path("SigningCertURL").asText(), ARN);
  }

  private static X509Certificate signingCertificate() {
    return new TestCa().issue("CN=sns.amazonaws.com", TestCa.rsa(), null);
  }

  /** A clock a test moves. */
  private static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
