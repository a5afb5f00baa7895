package dev.postbus.worker.config;

import static dev.postbus.worker.config.Importance.ESSENTIAL;
import static dev.postbus.worker.config.Importance.FREQUENT;
import static dev.postbus.worker.config.Importance.RARE;

import dev.postbus.smtp.AuthMechanism;
import dev.postbus.smtp.SmtpConfig;
import dev.postbus.smtp.TlsMode;
import java.time.Duration;

/**
 * The keys of the SMTP relay ({@code smtp.*}): where it is, TLS and authentication, connections,
 * timeouts and the extensions used. With several relays, each takes these from its own {@code
 * relay.<name>.*} keys first ({@link RelayKeys#INHERITED}). Every key is also listed, in the order
 * of the configuration reference, in {@link Keys#ALL}.
 */
public final class SmtpKeys {

  private SmtpKeys() {}

  private static final Duration MS = Duration.ofMillis(1);
  private static final Duration DAY = Duration.ofDays(1);

  public static final ConfigKey<String> HOST =
      ConfigKey.of(
          "smtp.host",
          ESSENTIAL,
          ValueType.host(),
          "localhost",
          "SMTP relay host name or IP address, without a port (that is smtp.port). A final dot"
              + " (postfix.mail.svc.cluster.local.), underscores (smtp_relay) and a bracketed IPv6"
              + " address ([::1]) are allowed.");

  public static final ConfigKey<Integer> PORT =
      ConfigKey.of(
          "smtp.port",
          ESSENTIAL,
          ValueType.integer(1, 65535),
          SmtpConfig.DEFAULT_PORT,
          "SMTP relay port (25, 587 for submission with STARTTLS, 465 for implicit TLS).");

  public static final ConfigKey<Integer> CONNECTIONS =
      ConfigKey.of(
          "smtp.connections",
          ESSENTIAL,
          ValueType.integer(1, 1024),
          4,
          "Persistent SMTP connections per worker, each with its own sender lane. "
              + "Never more than the relay allows.");

  public static final ConfigKey<Integer> CONNECTIONS_GLOBAL =
      ConfigKey.of(
          "smtp.connections-global",
          FREQUENT,
          ValueType.integer(0, 100_000),
          0,
          "Most SMTP connections the whole group opens to the relay (0: no limit). Each "
              + "worker opens its share by its part of the jobs topic's partitions (rounded down, at least 1 while it owns "
              + "any), never more than smtp.connections; re-divided on every rebalance.");

  public static final ConfigKey<Provider> PROVIDER =
      ConfigKey.of(
          "smtp.provider",
          FREQUENT,
          ValueType.choice(Provider.values()),
          Provider.NONE,
          "The provider behind the relay, for the header that carries each job's id into its bounce"
              + " and complaint notifications (read back by postbus feedback): ses adds"
              + " X-SES-MESSAGE-TAGS: postbus-job=<id>, sendgrid X-SMTPAPI unique_args, postmark"
              + " X-PM-Metadata-postbus-job, mailgun X-Mailgun-Variables. none adds none. With"
              + " several relays, each its own (relay.<name>.provider).");

  public static final ConfigKey<TlsMode> TLS =
      ConfigKey.of(
          "smtp.tls",
          ESSENTIAL,
          ValueType.oneOf(TlsMode.allowedValues(), TlsMode::fromConfigName),
          SmtpConfig.DEFAULT_TLS,
          "none; starttls (when offered); starttls-required (refuse servers without it); implicit (TLS from the first byte).");

  public static final ConfigKey<String> USERNAME =
      ConfigKey.of(
          "smtp.username",
          ESSENTIAL,
          ValueType.nonEmpty(),
          null,
          "User name for SMTP AUTH. Unset: no authentication. White space at either end is dropped.");

  public static final ConfigKey<String> PASSWORD =
      new ConfigKey<>(
          "smtp.password",
          ESSENTIAL,
          ValueType.nonEmpty(),
          null,
          null,
          true,
          "Password for SMTP AUTH. Prefer smtp.password-file. White space at either end is dropped.");

  public static final ConfigKey<String> PASSWORD_FILE =
      ConfigKey.of(
          "smtp.password-file",
          FREQUENT,
          ValueType.nonEmpty(),
          null,
          "File holding the SMTP password or OAuth token (white space at its end ignored), e.g. a "
              + "mounted secret. Read again at every new connection, so a rotated secret is picked up.");

  public static final ConfigKey<AuthMechanism> AUTH_MECHANISM =
      ConfigKey.of(
          "smtp.auth-mechanism",
          FREQUENT,
          ValueType.oneOf(AuthMechanism.allowedValues(), AuthMechanism::fromConfigName),
          AuthMechanism.PLAIN_LOGIN,
          "plain-login: AUTH PLAIN (or LOGIN) with the password; xoauth2: AUTH XOAUTH2 with an OAuth 2.0 access token "
              + "as the password (Gmail, Microsoft 365), best from smtp.password-file. Without smtp.username it is ignored (a WARN at start-up).");

  public static final ConfigKey<String> TRUST_STORE =
      ConfigKey.of(
          "smtp.trust-store",
          FREQUENT,
          ValueType.nonEmpty(),
          null,
          "PKCS12 or JKS file with the certificates to trust for the relay (a private CA, a self-signed relay) instead "
              + "of the JVM's. Host names are still verified. Ignored with smtp.tls=none or smtp.tls-verify=false (a WARN at"
              + " start-up naming the relay's key).");

  public static final ConfigKey<String> TRUST_STORE_PASSWORD =
      new ConfigKey<>(
          "smtp.trust-store-password",
          RARE,
          ValueType.nonEmpty(),
          null,
          null,
          true,
          "Password of smtp.trust-store, when it has one. Ignored without smtp.trust-store. White space at"
              + " either end is dropped.");

  public static final ConfigKey<Boolean> TLS_VERIFY =
      ConfigKey.of(
          "smtp.tls-verify",
          FREQUENT,
          ValueType.bool(),
          true,
          "Verify the relay's certificate chain and host name. Turn off only for a test relay: with"
              + " smtp.username, the credentials then go to whoever answers (a warning at start-up).");

  public static final ConfigKey<String> HELO_NAME =
      ConfigKey.computed(
          "smtp.helo-name",
          RARE,
          ValueType.heloName(),
          "the local host name",
          "Name announced in EHLO, sent as given: a domain (mx.example.com) or an address literal"
              + " ([192.0.2.1], [IPv6:2001:db8::1]), at most 255 characters of printable ASCII. A"
              + " non-ASCII domain goes in its IDNA (punycode) form: xn--bcher-kva.de, not"
              + " bücher.de. White space, control characters, < and > are refused; a relay that"
              + " dislikes the name answers 501. Unset: the local host name, or its address literal"
              + " when that name is not a host name.");

  public static final ConfigKey<ExtensionUse> PIPELINING =
      ConfigKey.of(
          "smtp.pipelining",
          RARE,
          ValueType.choice(ExtensionUse.values()),
          ExtensionUse.AUTO,
          "auto: when the relay offers PIPELINING (RFC 2920), send MAIL, every RCPT and DATA (or BDAT) in one write and "
              + "read the replies together, and with DATA send the next message's envelope with the end of the message; "
              + "off: wait for each reply (lock-step). Never pipelines to a relay that does not offer it.");

  public static final ConfigKey<ExtensionUse> CHUNKING =
      ConfigKey.of(
          "smtp.chunking",
          RARE,
          ValueType.choice(ExtensionUse.values()),
          ExtensionUse.AUTO,
          "auto: when the relay offers CHUNKING (RFC 3030), send the message with BDAT, in the same write as MAIL and "
              + "RCPT when it also offers PIPELINING (one round trip per message); off: always DATA.");

  public static final ConfigKey<Integer> MAX_MESSAGES =
      ConfigKey.of(
          "smtp.max-messages-per-connection",
          FREQUENT,
          ValueType.integer(1, 1_000_000),
          SmtpConfig.DEFAULT_MAX_MESSAGES_PER_CONNECTION,
          "After this many messages a connection is closed with QUIT and reopened.");

  public static final ConfigKey<Duration> MAX_AGE =
      ConfigKey.of(
          "smtp.max-connection-age",
          FREQUENT,
          ValueType.duration(Duration.ofSeconds(1), DAY),
          SmtpConfig.DEFAULT_MAX_CONNECTION_AGE,
          "A connection older than this is reopened before its next message.");

  public static final ConfigKey<Duration> IDLE_TIMEOUT =
      ConfigKey.of(
          "smtp.idle-timeout",
          FREQUENT,
          ValueType.duration(Duration.ofMillis(100), DAY),
          SmtpConfig.DEFAULT_IDLE_TIMEOUT,
          "A connection unused for this long is closed.");

  public static final ConfigKey<Duration> CONNECT_TIMEOUT =
      ConfigKey.of(
          "smtp.connect-timeout",
          RARE,
          ValueType.duration(MS, Duration.ofMinutes(10)),
          SmtpConfig.DEFAULT_CONNECT_TIMEOUT,
          "TCP connect timeout.");

  public static final ConfigKey<Duration> READ_TIMEOUT =
      ConfigKey.of(
          "smtp.read-timeout",
          RARE,
          ValueType.duration(MS, Duration.ofMinutes(30)),
          SmtpConfig.DEFAULT_READ_TIMEOUT,
          "How long a whole server reply may take to arrive, except the replies read after the end of a message"
              + " (smtp.data-done-timeout).");

  public static final ConfigKey<Duration> WRITE_TIMEOUT =
      ConfigKey.of(
          "smtp.write-timeout",
          RARE,
          ValueType.duration(MS, Duration.ofMinutes(30)),
          SmtpConfig.DEFAULT_WRITE_TIMEOUT,
          "How long a write may make no progress (each 64 KiB of a message has this long), QUIT included.");

  public static final ConfigKey<Duration> DATA_DONE_TIMEOUT =
      ConfigKey.of(
          "smtp.data-done-timeout",
          RARE,
          ValueType.duration(MS, Duration.ofHours(1)),
          SmtpConfig.DEFAULT_DATA_DONE_TIMEOUT,
          "How long the reply to the end of a message (the final \".\" of DATA, or BDAT LAST) may take, while "
              + "the relay scans it: RFC 5321 asks for 10 minutes. It also bounds together the replies of any "
              + "pipelined group (MAIL, the RCPTs and DATA or BDAT; an envelope written ahead), each still "
              + "within smtp.read-timeout. "
              + "For the end's reply it replaces smtp.read-timeout. "
              + "Far above worker.drain-timeout: a partition revoked during such a wait leaves the job uncommitted "
              + "and its new owner sends it again while this send still waits, a possible duplicate "
              + "(docs/delivery-semantics.md).");

  public static final ConfigKey<PlaintextAuth> AUTH_OVER_PLAINTEXT =
      ConfigKey.of(
          "smtp.auth-over-plaintext",
          RARE,
          ValueType.choice(PlaintextAuth.values()),
          PlaintextAuth.REFUSE,
          "refuse: credentials are never sent over a session without TLS (smtp.tls=none with smtp.username is "
              + "refused at start-up; with starttls, a relay that did not take STARTTLS is refused and delivery waits); "
              + "allow: send them in clear text anyway, for a lab relay only (logged as a warning on every login).");

  public static final ConfigKey<Duration> RECONNECT_BACKOFF =
      ConfigKey.of(
          "smtp.reconnect-backoff",
          RARE,
          ValueType.duration(MS, Duration.ofMinutes(1)),
          Duration.ofSeconds(1),
          "First wait before reconnecting after a failed connection; doubles (with jitter) up to the maximum.");

  public static final ConfigKey<Duration> RECONNECT_BACKOFF_MAX =
      ConfigKey.of(
          "smtp.reconnect-backoff-max",
          RARE,
          ValueType.duration(MS, Duration.ofHours(1)),
          Duration.ofSeconds(60),
          "Longest wait between reconnection attempts.");
}
