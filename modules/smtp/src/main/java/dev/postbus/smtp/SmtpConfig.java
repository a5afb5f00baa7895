package dev.postbus.smtp;

import java.time.Duration;
import java.util.Objects;

/**
 * One relay and how to hold connections to it. Validated on construction: a bad value names its
 * key. {@link #toString()} shows "(authenticated)" instead of the user name and password.
 *
 * @param heloName the name sent in EHLO ({@link #isHeloName}); {@code null} for the local host name
 * @param verifyCertificates check the server's certificate chain and host name (on unless told
 *     otherwise)
 * @param maxMessagesPerConnection after this many messages the connection is closed with QUIT and
 *     reopened
 * @param maxConnectionAge a connection older than this is reopened before its next message
 * @param idleTimeout a connection unused for this long is closed
 * @param pipelining pipeline commands (RFC 2920) when the server offers PIPELINING
 *     (smtp.pipelining=auto)
 * @param chunking send with BDAT (RFC 3030) when the server offers CHUNKING (smtp.chunking=auto)
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
    Duration dataDoneTimeout,
    int maxMessagesPerConnection,
    Duration maxConnectionAge,
    Duration idleTimeout,
    AuthMechanism authMechanism,
    TrustStore trustStore, // null: the JVM's default trust
    boolean pipelining,
    boolean chunking,
    boolean authOverPlaintext) {

  public static final int DEFAULT_PORT = 25;
  public static final TlsMode DEFAULT_TLS = TlsMode.STARTTLS;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(60);

  /** RFC 5321 4.5.3.2.6 and Postfix's smtp_data_done_timeout: 10 minutes for the end's reply. */
  public static final Duration DEFAULT_DATA_DONE_TIMEOUT = Duration.ofMinutes(10);

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
    if (username != null && tls == TlsMode.NONE && !authOverPlaintext) {
      throw new IllegalStateException(
          "smtp.username is set with smtp.tls=none: the password would go in clear text; use"
              + " smtp.tls=starttls-required or implicit (smtp.auth-over-plaintext=allow only for"
              + " a lab relay)");
    }
    socketTimeout("smtp.connect-timeout", connectTimeout);
    socketTimeout("smtp.read-timeout", readTimeout);
    socketTimeout("smtp.write-timeout", writeTimeout);
    socketTimeout("smtp.data-done-timeout", dataDoneTimeout);
    positive("smtp.max-connection-age", maxConnectionAge);
    positive("smtp.idle-timeout", idleTimeout);
    if (heloName != null && !isHeloName(heloName)) {
      throw new IllegalArgumentException(
          "smtp.helo-name must be 1 to "
              + MAX_HELO_NAME
              + " printable ASCII characters without space, '<' or '>' (a domain in its IDNA"
              + " form, e.g. xn--bcher-kva.de, or an address literal), got "
              + heloName.length()
              + " characters");
    }
    if (maxMessagesPerConnection < 1) {
      throw new IllegalArgumentException(
          "smtp.max-messages-per-connection must be at least 1, got " + maxMessagesPerConnection);
    }
  }

  /** The longest EHLO name: a domain's 255 octets (RFC 5321 4.5.3.1.2). */
  public static final int MAX_HELO_NAME = 255;

  /**
   * Whether {@code name} can be sent in EHLO as it is: one word of printable ASCII (0x21-0x7E)
   * without {@code <} or {@code >}, at most {@value #MAX_HELO_NAME} characters. A non-ASCII name
   * would go out as raw UTF-8; its IDNA (punycode) form is what a relay reads.
   */
  public static boolean isHeloName(String name) {
    if (name.isEmpty() || name.length() > MAX_HELO_NAME) {
      return false;
    }
    return name.chars().allMatch(c -> c > 0x20 && c < 0x7F && c != '<' && c != '>');
  }

  /** A relay with every setting at its default. */
  public static SmtpConfig of(String host, int port, TlsMode tls) {
    return builder(host, port, tls).build();
  }

  public static Builder builder(String host, int port, TlsMode tls) {
    return new Builder(host, port, tls);
  }

  /** A builder holding every setting of this config, to change some. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  public boolean authenticated() {
    return username != null;
  }

  /** The longest timeout a socket takes: whole milliseconds in an int (about 24.8 days). */
  static final Duration MAX_SOCKET_TIMEOUT = Duration.ofMillis(Integer.MAX_VALUE);

  /**
   * A socket's timeout is whole milliseconds in an int, and 0 means none: from 1 ms (under it, no
   * timeout at all) to {@link #MAX_SOCKET_TIMEOUT} (over it, an overflow that fails every connect).
   */
  private static void socketTimeout(String key, Duration d) {
    positive(key, d);
    if (d.compareTo(Duration.ofMillis(1)) < 0 || d.compareTo(MAX_SOCKET_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          key
              + " must be from 1ms to 2147483647ms (about 24.8 days: a socket timeout in whole"
              + " milliseconds), got "
              + d);
    }
  }

  private static void positive(String key, Duration d) {
    Objects.requireNonNull(d, key);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(key + " must be a positive duration, got " + d);
    }
  }

  @Override
  public String toString() {
    return String.format(
        "SmtpConfig[%s:%d, tls=%s%s%s%s%s, connect=%s, read=%s, data-done=%s, write=%s,"
            + " maxMessages=%d, maxAge=%s, idle=%s%s%s]",
        host,
        port,
        tls,
        authenticated() ? ", auth=" + authMechanism + " as (user) with " + password : "",
        trustStore == null ? "" : ", trust-store=" + trustStore,
        verifyCertificates ? "" : ", certificates NOT verified",
        authOverPlaintext ? ", AUTH OVER PLAINTEXT ALLOWED" : "",
        connectTimeout,
        readTimeout,
        dataDoneTimeout,
        writeTimeout,
        maxMessagesPerConnection,
        maxConnectionAge,
        idleTimeout,
        pipelining ? "" : ", pipelining off",
        chunking ? "" : ", chunking off");
  }

  /** Builds a validated {@link SmtpConfig}; every setting not given keeps its default. */
  public static final class Builder {
    private String host;
    private int port;
    private TlsMode tls;
    private String username;
    private Secret password;
    private boolean verifyCertificates = true;
    private String heloName;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
    private Duration dataDoneTimeout = DEFAULT_DATA_DONE_TIMEOUT;
    private int maxMessagesPerConnection = DEFAULT_MAX_MESSAGES_PER_CONNECTION;
    private Duration maxConnectionAge = DEFAULT_MAX_CONNECTION_AGE;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private AuthMechanism authMechanism = AuthMechanism.PLAIN_LOGIN;
    private TrustStore trustStore;
    private boolean pipelining = true;
    private boolean chunking = true;
    private boolean authOverPlaintext;

    private Builder(String host, int port, TlsMode tls) {
      this.host = host;
      this.port = port;
      this.tls = tls;
    }

    private Builder(SmtpConfig c) {
      this(c.host, c.port, c.tls);
      username = c.username;
      password = c.password;
      verifyCertificates = c.verifyCertificates;
      heloName = c.heloName;
      connectTimeout = c.connectTimeout;
      readTimeout = c.readTimeout;
      writeTimeout = c.writeTimeout;
      dataDoneTimeout = c.dataDoneTimeout;
      maxMessagesPerConnection = c.maxMessagesPerConnection;
      maxConnectionAge = c.maxConnectionAge;
      idleTimeout = c.idleTimeout;
      authMechanism = c.authMechanism;
      trustStore = c.trustStore;
      pipelining = c.pipelining;
      chunking = c.chunking;
      authOverPlaintext = c.authOverPlaintext;
    }

    public Builder credentials(String user, Secret secret) {
      this.username = user;
      this.password = secret;
      return this;
    }

    public Builder verifyCertificates(boolean verify) {
      this.verifyCertificates = verify;
      return this;
    }

    public Builder heloName(String name) {
      this.heloName = name;
      return this;
    }

    public Builder connectTimeout(Duration d) {
      this.connectTimeout = d;
      return this;
    }

    public Builder readTimeout(Duration d) {
      this.readTimeout = d;
      return this;
    }

    public Builder writeTimeout(Duration d) {
      this.writeTimeout = d;
      return this;
    }

    /** smtp.data-done-timeout: how long the reply to the end of a message may take. */
    public Builder dataDoneTimeout(Duration d) {
      this.dataDoneTimeout = d;
      return this;
    }

    public Builder maxMessagesPerConnection(int n) {
      this.maxMessagesPerConnection = n;
      return this;
    }

    public Builder maxConnectionAge(Duration d) {
      this.maxConnectionAge = d;
      return this;
    }

    public Builder idleTimeout(Duration d) {
      this.idleTimeout = d;
      return this;
    }

    public Builder authMechanism(AuthMechanism mechanism) {
      this.authMechanism = mechanism;
      return this;
    }

    public Builder trustStore(TrustStore store) {
      this.trustStore = store;
      return this;
    }

    /**
     * smtp.pipelining: auto (true) pipelines when the server offers PIPELINING; off (false) never
     * does.
     */
    public Builder pipelining(boolean auto) {
      this.pipelining = auto;
      return this;
    }

    /**
     * smtp.chunking: auto (true) uses BDAT when the server offers CHUNKING; off (false) always uses
     * DATA.
     */
    public Builder chunking(boolean auto) {
      this.chunking = auto;
      return this;
    }

    /**
     * smtp.auth-over-plaintext=allow: credentials may go over a session without TLS. Only for a lab
     * relay; logged as a warning on every such login.
     */
    public Builder authOverPlaintext(boolean allow) {
      this.authOverPlaintext = allow;
      return this;
    }

    public SmtpConfig build() {
      return new SmtpConfig(
          host,
          port,
          tls,
          username,
          password,
          verifyCertificates,
          heloName,
          connectTimeout,
          readTimeout,
          writeTimeout,
          dataDoneTimeout,
          maxMessagesPerConnection,
          maxConnectionAge,
          idleTimeout,
          authMechanism,
          trustStore,
          pipelining,
          chunking,
          authOverPlaintext);
    }
  }
}
