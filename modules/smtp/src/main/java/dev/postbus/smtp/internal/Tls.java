package dev.postbus.smtp.internal;

import dev.postbus.smtp.SmtpConfig;
import java.io.IOException;
import java.net.Socket;
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
    ssl.startHandshake();
    return ssl;
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
