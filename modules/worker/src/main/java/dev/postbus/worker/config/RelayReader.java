package dev.postbus.worker.config;

import dev.postbus.smtp.Secret;
import dev.postbus.smtp.SmtpConfig;
import dev.postbus.smtp.TlsMode;
import dev.postbus.smtp.TrustStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the relays from {@link Settings}: the single relay of the {@code smtp.*} keys, or the
 * relays {@code relays} names, each from its own {@code relay.<name>.*} keys over the {@code
 * smtp.*} ones.
 */
final class RelayReader {

  private static final Logger log = LoggerFactory.getLogger(RelayReader.class);

  private RelayReader() {}

  static List<RelayConfig> relays(Settings s) {
    List<String> names = s.get(RelayKeys.RELAYS).orElse(null);
    if (names == null) {
      checkNoRelayKeys(s);
      return List.of(single(s));
    }
    checkNames(s, names);
    List<RelayConfig> list = new ArrayList<>();
    for (String name : names) {
      list.add(named(s, name));
    }
    return list;
  }

  /** The one relay of the {@code smtp.*} keys (and the worker's own rate limits). */
  private static RelayConfig single(Settings s) {
    SmtpConfig smtp;
    try {
      smtp = smtp(s, null);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ConfigException(e.getMessage());
    }
    return new RelayConfig(
        RelayConfig.SINGLE,
        smtp,
        s.require(SmtpKeys.CONNECTIONS),
        s.require(SmtpKeys.CONNECTIONS_GLOBAL),
        s.require(LimitKeys.RATE_LIMIT),
        s.require(LimitKeys.RATE_LIMIT_GLOBAL),
        1,
        List.of(RelayConfig.ANY_POOL),
        s.require(SmtpKeys.PROVIDER));
  }

  private static RelayConfig named(Settings s, String name) {
    Settings r = s.forRelay(name);
    try {
      return new RelayConfig(
          name,
          smtp(r, name),
          r.require(SmtpKeys.CONNECTIONS),
          r.require(SmtpKeys.CONNECTIONS_GLOBAL),
          s.requireForRelay(RelayKeys.RATE_LIMIT, name),
          s.requireForRelay(RelayKeys.RATE_LIMIT_GLOBAL, name),
          s.requireForRelay(RelayKeys.WEIGHT, name),
          s.requireForRelay(RelayKeys.POOLS, name),
          r.require(SmtpKeys.PROVIDER));
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ConfigException("relay " + name + ": " + e.getMessage());
    }
  }

  private static void checkNoRelayKeys(Settings s) {
    if (s.relayNamesWithKeys().isEmpty()) {
      return;
    }
    throw new ConfigException(
        "relay."
            + s.relayNamesWithKeys().iterator().next()
            + ".* keys are set but relays ("
            + RelayKeys.RELAYS.env()
            + ") is not; list the relays in order, e.g. relays="
            + String.join(",", s.relayNamesWithKeys()));
  }

  private static void checkNames(Settings s, List<String> names) {
    if (names.contains(RelayConfig.SINGLE)) {
      throw new ConfigException(
          "relays ("
              + RelayKeys.RELAYS.env()
              + "): the name '"
              + RelayConfig.SINGLE
              + "' is reserved for the single relay configured by smtp.*; choose another name");
    }
    for (String withKeys : s.relayNamesWithKeys()) {
      if (!names.contains(withKeys)) {
        throw new ConfigException(
            "relay."
                + withKeys
                + ".* keys are set but "
                + withKeys
                + " is not in relays ("
                + String.join(",", names)
                + ")");
      }
    }
  }

  /**
   * One relay's SMTP settings; {@code s} is the relay's view of the settings, {@code relay} its
   * name (null: the single relay of the {@code smtp.*} keys).
   */
  static SmtpConfig smtp(Settings s, String relay) {
    warnOfIgnoredKeys(s, relay);
    SmtpConfig smtp = build(s, relay);
    if (smtp.authenticated() && smtp.tls() != TlsMode.NONE && !smtp.verifyCertificates()) {
      log.warn(
          "{}{}:{}: {}=false{} with {}: the relay's certificate is not checked, so the credentials"
              + " go to whoever answers there; for a test relay only",
          relay == null ? "" : "relay " + relay + ": ",
          smtp.host(),
          smtp.port(),
          key(relay, SmtpKeys.TLS_VERIFY),
          from(s, relay, SmtpKeys.TLS_VERIFY),
          named(s, relay, SmtpKeys.USERNAME));
    }
    return smtp;
  }

  /**
   * A key that nothing reads for this relay is logged once, as one WARN naming the relay's key and
   * why, never refused: it is often inherited from a worker-wide key meant for another relay (relay
   * a's trust store, while relay local uses no TLS).
   */
  private static void warnOfIgnoredKeys(Settings s, String relay) {
    List<String> ignored = new ArrayList<>();
    boolean store = s.get(SmtpKeys.TRUST_STORE).isPresent();
    if (store && s.require(SmtpKeys.TLS) == TlsMode.NONE) {
      ignored.add(
          ignored(s, relay, SmtpKeys.TRUST_STORE, key(relay, SmtpKeys.TLS) + "=none uses no TLS"));
    } else if (store && !s.require(SmtpKeys.TLS_VERIFY)) {
      ignored.add(
          ignored(
              s,
              relay,
              SmtpKeys.TRUST_STORE,
              key(relay, SmtpKeys.TLS_VERIFY) + "=false checks no certificate"));
    }
    if (!store && s.get(SmtpKeys.TRUST_STORE_PASSWORD).isPresent()) {
      ignored.add(
          ignored(
              s,
              relay,
              SmtpKeys.TRUST_STORE_PASSWORD,
              "there is no " + key(relay, SmtpKeys.TRUST_STORE)));
    }
    if (s.given(SmtpKeys.AUTH_MECHANISM) && s.get(SmtpKeys.USERNAME).isEmpty()) {
      ignored.add(
          ignored(
              s,
              relay,
              SmtpKeys.AUTH_MECHANISM,
              "there is no " + key(relay, SmtpKeys.USERNAME) + ", so the relay gets no AUTH"));
    }
    if (!ignored.isEmpty()) {
      log.warn("{}{}", relay == null ? "" : "relay " + relay + ": ", String.join("; ", ignored));
    }
  }

  private static String ignored(Settings s, String relay, ConfigKey<?> key, String why) {
    return named(s, relay, key) + " is ignored: " + why;
  }

  /** The relay's own key, and the key it was written as when another: {@code a (from b)}. */
  private static String named(Settings s, String relay, ConfigKey<?> key) {
    return key(relay, key) + from(s, relay, key);
  }

  /** {@code " (from b)"} when the relay's key was written as another, else nothing. */
  private static String from(Settings s, String relay, ConfigKey<?> key) {
    String written = s.writtenAs(key);
    return written.equals(key(relay, key)) ? "" : " (from " + written + ")";
  }

  /** The key {@code key} was written as, with its environment variable: {@code a (POSTBUS_A)}. */
  private static String withEnv(Settings s, ConfigKey<?> key) {
    String written = s.writtenAs(key);
    return written + " (" + ConfigKey.envName(written) + ")";
  }

  /**
   * {@link #withEnv(Settings, ConfigKey)} for a key that is set; the relay's own key, with its
   * environment variable, for one that is not (where it would be set).
   */
  private static String withEnv(Settings s, String relay, ConfigKey<?> key) {
    if (s.get(key).isPresent()) {
      return withEnv(s, key);
    }
    String own = key(relay, key);
    return own + " (" + ConfigKey.envName(own) + ")";
  }

  /** The relay's own key for an {@code smtp.*} key: {@code relay.<name>.*}, or itself. */
  private static String key(String relay, ConfigKey<?> key) {
    return relay == null
        ? key.name()
        : RelayKeys.key(relay, key.name().substring("smtp.".length()));
  }

  private static SmtpConfig build(Settings s, String relay) {
    if (relay != null) {
      checkCredentials(s, relay);
    }
    return SmtpConfig.builder(
            s.require(SmtpKeys.HOST), s.require(SmtpKeys.PORT), s.require(SmtpKeys.TLS))
        .credentials(s.get(SmtpKeys.USERNAME).orElse(null), password(s))
        .verifyCertificates(s.require(SmtpKeys.TLS_VERIFY))
        .heloName(s.get(SmtpKeys.HELO_NAME).orElse(null))
        .connectTimeout(s.require(SmtpKeys.CONNECT_TIMEOUT))
        .readTimeout(s.require(SmtpKeys.READ_TIMEOUT))
        .writeTimeout(s.require(SmtpKeys.WRITE_TIMEOUT))
        .dataDoneTimeout(s.require(SmtpKeys.DATA_DONE_TIMEOUT))
        .authOverPlaintext(s.require(SmtpKeys.AUTH_OVER_PLAINTEXT) == PlaintextAuth.ALLOW)
        .maxMessagesPerConnection(s.require(SmtpKeys.MAX_MESSAGES))
        .maxConnectionAge(s.require(SmtpKeys.MAX_AGE))
        .idleTimeout(s.require(SmtpKeys.IDLE_TIMEOUT))
        .authMechanism(s.require(SmtpKeys.AUTH_MECHANISM))
        .trustStore(trustStore(s, relay))
        .pipelining(s.require(SmtpKeys.PIPELINING) == ExtensionUse.AUTO)
        .chunking(s.require(SmtpKeys.CHUNKING) == ExtensionUse.AUTO)
        .build();
  }

  /**
   * The trust store, unless it is ignored ({@link #warnOfIgnoredKeys}): then not even loaded. A
   * relay's error names the key the file was given as, with its environment variable.
   */
  private static TrustStore trustStore(Settings s, String relay) {
    if (s.require(SmtpKeys.TLS) == TlsMode.NONE || !s.require(SmtpKeys.TLS_VERIFY)) {
      return null;
    }
    String setting = relay == null ? SmtpKeys.TRUST_STORE.name() : withEnv(s, SmtpKeys.TRUST_STORE);
    return s.get(SmtpKeys.TRUST_STORE)
        .map(
            f ->
                TrustStore.load(
                    Path.of(f),
                    s.get(SmtpKeys.TRUST_STORE_PASSWORD).map(Secret::of).orElse(null),
                    setting))
        .orElse(null);
  }

  /**
   * What {@link SmtpConfig} refuses of the credentials, refused first for a relay naming its keys
   * (the {@code smtp.*} ones name keys it may not have been given as): the user name without a
   * password, and a user name over a relay without TLS (the caller puts the relay's name first).
   */
  private static void checkCredentials(Settings s, String relay) {
    boolean user = s.get(SmtpKeys.USERNAME).isPresent();
    boolean password =
        s.get(SmtpKeys.PASSWORD).isPresent() || s.get(SmtpKeys.PASSWORD_FILE).isPresent();
    if (user != password) {
      throw new IllegalStateException(
          withEnv(s, relay, SmtpKeys.USERNAME)
              + " and "
              + withEnv(s, relay, SmtpKeys.PASSWORD)
              + " or "
              + withEnv(s, relay, SmtpKeys.PASSWORD_FILE)
              + " must be set together");
    }
    if (user
        && s.require(SmtpKeys.TLS) == TlsMode.NONE
        && s.require(SmtpKeys.AUTH_OVER_PLAINTEXT) != PlaintextAuth.ALLOW) {
      throw new IllegalStateException(
          named(s, relay, SmtpKeys.USERNAME)
              + " is set with "
              + s.writtenAs(SmtpKeys.TLS)
              + "=none ("
              + ConfigKey.envName(s.writtenAs(SmtpKeys.TLS))
              + "): the password would go in clear text; use "
              + key(relay, SmtpKeys.TLS)
              + "=starttls-required or implicit ("
              + key(relay, SmtpKeys.AUTH_OVER_PLAINTEXT)
              + "=allow only for a lab relay)");
    }
  }

  private static Secret password(Settings s) {
    var inline = s.get(SmtpKeys.PASSWORD);
    var file = s.get(SmtpKeys.PASSWORD_FILE);
    if (inline.isPresent() && file.isPresent()) {
      throw new ConfigException(
          withEnv(s, SmtpKeys.PASSWORD)
              + " and "
              + withEnv(s, SmtpKeys.PASSWORD_FILE)
              + " are both set; set one");
    }
    if (file.isEmpty()) {
      return inline.map(Secret::of).orElse(null);
    }
    try {
      return Secret.fromFile(Path.of(file.get()));
    } catch (IOException e) {
      throw new ConfigException(
          withEnv(s, SmtpKeys.PASSWORD_FILE)
              + ": cannot read "
              + file.get()
              + ": "
              + e.getClass().getSimpleName());
    }
  }
}
