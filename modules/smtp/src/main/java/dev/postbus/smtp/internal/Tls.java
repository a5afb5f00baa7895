package dev.postbus.smtp.internal;

import dev.postbus.smtp.SmtpConfig;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS over an open socket, for implicit TLS and STARTTLS alike: the trust store of the config (or
 * the JVM's), and the host name checked against the certificate unless verification is turned off.
 * The handshake must end within the read timeout as a whole (each of its reads has it too): a relay
 * that trickles its handshake is cut by the {@link WriteWatchdog}, which closes the TCP socket.
 */
final class Tls {

  private Tls() {}

  static SSLSocket wrap(Socket plain, SmtpConfig config) throws IOException {
    SSLSocket ssl =
        (SSLSocket) factory(config).createSocket(plain, config.host(), config.port(), true);
    if (config.verifyCertificates()) {
      SSLParameters params = ssl.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS"); // RFC 2818 / 6125 host-name check
      ssl.setSSLParameters(params);
    }
    ssl.setUseClientMode(true);
    new Handshake(plain, config.readTimeout().toNanos()).run(ssl::startHandshake);
    return ssl;
  }

  /** The handshake's work: {@link SSLSocket#startHandshake}, or a stand-in (tests). */
  interface Start {
    void run() throws IOException;
  }

  /**
   * One handshake under the watchdog: its deadline, and the TCP socket to close when it passes.
   * Exactly one of the handshake's end and the deadline wins ({@link ReadDeadline}): a handshake
   * that ended as the deadline passed keeps its socket.
   */
  static final class Handshake implements WriteWatchdog.Watched {
    private final ReadDeadline deadline;
    private final long timeoutNanos;

    /** Armed now, not yet watched. */
    Handshake(Socket plain, long timeoutNanos) {
      this.deadline = new ReadDeadline(plain);
      this.timeoutNanos = timeoutNanos;
      deadline.arm(System.nanoTime() + timeoutNanos);
    }

    /**
     * Runs {@code start} under the watchdog, and takes it off on every path. If the deadline won,
     * the handshake's end (or its IOException: the socket the watchdog closed) is the timeout; a
     * RuntimeException or an Error passes unchanged.
     */
    void run(Start start) throws IOException {
      WriteWatchdog.watch(this);
      IOException failed = null;
      boolean inTime;
      try {
        start.run();
      } catch (IOException e) {
        failed = e;
      } finally {
        inTime = end();
      }
      if (!inTime) {
        throw timeout(); // the watchdog closed the socket first
      }
      if (failed != null) {
        throw failed;
      }
    }

    /**
     * The handshake ended (well or not): off the watchdog. Whether it ended in time: false if the
     * deadline won and closed the socket. Once only.
     */
    boolean end() {
      WriteWatchdog.unwatch(this);
      return deadline.disarm();
    }

    @Override
    public long deadline() {
      return deadline.deadline();
    }

    @Override
    public boolean leavesOnTimeout() {
      return false; // end() takes it off: a deadline that lost stays watched until then
    }

    @Override
    public void timedOut() {
      deadline.timedOut();
    }

    SocketTimeoutException timeout() {
      return new SocketTimeoutException(
          "the TLS handshake did not end within " + timeoutNanos / 1_000_000 + " ms");
    }
  }

  private static SSLSocketFactory factory(SmtpConfig config) throws IOException {
    if (!config.verifyCertificates()) {
      return TrustEverything.FACTORY;
    }
    if (config.trustStore() != null) {
      return config.trustStore().socketFactory();
    }
    return (SSLSocketFactory) SSLSocketFactory.getDefault();
  }

  /** Only for smtp.tls-verify=false (a test relay): accepts any certificate. */
  private static final class TrustEverything implements X509TrustManager {
    static final SSLSocketFactory FACTORY = create();

    private static SSLSocketFactory create() {
      try {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new TrustEverything()}, null);
        return context.getSocketFactory();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("no TLS in this JVM", e);
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
