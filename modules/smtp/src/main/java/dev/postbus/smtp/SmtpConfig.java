package dev.postbus.smtp;

import java.time.Duration;
import java.util.Objects;

/**
 * One relay and how to hold connections to it. Validated on construction: a bad value names its key.
 * {@link #toString()} shows "(authenticated)" instead of the user name and password.
 *
 * @param heloName the name sent in EHLO; {@code null} for the local host name
 * @param verifyCertificates check the server's certificate chain and host name (on unless told otherwise)
 * @param maxMessagesPerConnection after this many messages the connection is closed with QUIT and reopened
 * @param maxConnectionAge a connection older than this is reopened before its next message
 * @param idleTimeout a connection unused for this long is closed
 */
public record SmtpConfig(
    String host,
    int port,
    TlsMode tls,
    String username,
    Secret password,
    boolean verifyCertificates,
    String heloName,
    Duration connectTimeout,
    Duration readTimeout,
    Duration writeTimeout,
    int maxMessagesPerConnection,
    Duration maxConnectionAge,
    Duration idleTimeout,
    AuthMechanism authMechanism,
    TrustStore trustStore) { // null: the JVM's default trust

  public static final int DEFAULT_PORT = 25;
  public static final TlsMode DEFAULT_TLS = TlsMode.STARTTLS;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(60);
  public static final int DEFAULT_MAX_MESSAGES_PER_CONNECTION = 1000;
  public static final Duration DEFAULT_MAX_CONNECTION_AGE = Duration.ofMinutes(10);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  public SmtpConfig {
    if (authMechanism == null) {
      authMechanism = AuthMechanism.PLAIN_LOGIN;
    }
    Objects.requireNonNull(host, "smtp.host");
    Objects.requireNonNull(tls, "smtp.tls");
    if (host.isBlank()) {
      throw new IllegalArgumentException("smtp.host must not be empty");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("smtp.port must be between 1 and 65535, got " + port);
    }
    if ((username == null) != (password == null)) {
      throw new IllegalStateException("smtp.username and smtp.password must be set together");
    }
    positive("smtp.connect-timeout", connectTimeout);
    positive("smtp.read-timeout", readTimeout);
    positive("smtp.write-timeout", writeTimeout);
    positive("smtp.max-connection-age", maxConnectionAge);
    positive("smtp.idle-timeout", idleTimeout);
    if (maxMessagesPerConnection < 1) {
      throw new IllegalArgumentException("smtp.max-messages-per-connection must be at least 1, got "
          + maxMessagesPerConnection);
    }
  }

  /** A relay with every setting at its default. */
  public static SmtpConfig of(String host, int port, TlsMode tls) {
    return new SmtpConfig(host, port, tls, null, null, true, null, DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_READ_TIMEOUT, DEFAULT_WRITE_TIMEOUT, DEFAULT_MAX_MESSAGES_PER_CONNECTION,
        DEFAULT_MAX_CONNECTION_AGE, DEFAULT_IDLE_TIMEOUT, AuthMechanism.PLAIN_LOGIN, null);
  }

  public SmtpConfig withCredentials(String user, Secret secret) {
    return new SmtpConfig(host, port, tls, user, secret, verifyCertificates, heloName, connectTimeout,
        readTimeout, writeTimeout, maxMessagesPerConnection, maxConnectionAge, idleTimeout, authMechanism, trustStore);
  }

  public SmtpConfig withHygiene(int maxMessages, Duration maxAge, Duration idle) {
    return new SmtpConfig(host, port, tls, username, password, verifyCertificates, heloName, connectTimeout,
        readTimeout, writeTimeout, maxMessages, maxAge, idle, authMechanism, trustStore);
  }

  public SmtpConfig withTimeouts(Duration connect, Duration read, Duration write) {
    return new SmtpConfig(host, port, tls, username, password, verifyCertificates, heloName, connect, read,
        write, maxMessagesPerConnection, maxConnectionAge, idleTimeout, authMechanism, trustStore);
  }

  public SmtpConfig withAuthMechanism(AuthMechanism mechanism) {
    return new SmtpConfig(host, port, tls, username, password, verifyCertificates, heloName, connectTimeout,
        readTimeout, writeTimeout, maxMessagesPerConnection, maxConnectionAge, idleTimeout, mechanism, trustStore);
  }

  public SmtpConfig withTrustStore(TrustStore store) {
    return new SmtpConfig(host, port, tls, username, password, verifyCertificates, heloName, connectTimeout,
        readTimeout, writeTimeout, maxMessagesPerConnection, maxConnectionAge, idleTimeout, authMechanism, store);
  }

  public boolean authenticated() {
    return username != null;
  }

  private static void positive(String key, Duration d) {
    Objects.requireNonNull(d, key);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(key + " must be a positive duration, got " + d);
    }
  }

  @Override
  public String toString() {
    return "SmtpConfig[" + host + ":" + port + ", tls=" + tls
        + (authenticated() ? ", auth=" + authMechanism + " as (user) with " + password : "")
        + (trustStore == null ? "" : ", trust-store=" + trustStore)
        + (verifyCertificates ? "" : ", certificates NOT verified") + ", connect=" + connectTimeout
        + ", read=" + readTimeout + ", maxMessages=" + maxMessagesPerConnection + ", maxAge="
        + maxConnectionAge + ", idle=" + idleTimeout + "]";
  }
}
