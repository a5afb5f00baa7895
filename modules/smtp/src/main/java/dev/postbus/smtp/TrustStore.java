package dev.postbus.smtp;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates to trust for the relay instead of the JVM's defaults: a PKCS12 or JKS file, for a
 * relay with a private CA or a self-signed certificate. Host-name verification stays on.
 */
public final class TrustStore {

  private final Path file;
  private final SSLSocketFactory socketFactory;

  private TrustStore(Path file, SSLSocketFactory socketFactory) {
    this.file = file;
    this.socketFactory = socketFactory;
  }

  /**
   * Loads the file now, so that a wrong path or password stops start-up instead of the first
   * connection.
   */
  public static TrustStore load(Path file, Secret password) {
    return load(file, password, "smtp.trust-store");
  }

  /**
   * As {@link #load(Path, Secret)}, with an error naming {@code setting}: the key the file was
   * given as ({@code relay.a.trust-store (POSTBUS_RELAY_A_TRUST_STORE)}).
   */
  public static TrustStore load(Path file, Secret password, String setting) {
    if (!java.nio.file.Files.isRegularFile(file)) {
      throw new IllegalArgumentException(setting + ": cannot load " + file + ": no such file");
    }
    try {
      KeyStore store =
          KeyStore.getInstance(
              file.toFile(), password == null ? null : password.reveal().toCharArray());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return new TrustStore(file, context.getSocketFactory());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          setting
              + ": cannot load "
              + file
              + " as PKCS12 or JKS ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + ")",
          e);
    }
  }

  public SSLSocketFactory socketFactory() {
    return socketFactory;
  }

  @Override
  public String toString() {
    return file.toString();
  }
}
