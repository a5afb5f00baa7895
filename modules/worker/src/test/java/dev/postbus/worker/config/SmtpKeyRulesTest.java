package dev.postbus.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class SmtpKeyRulesTest {

  private static WorkerConfig fromEnv(Map<String, String> env) {
    return WorkerConfig.from(Settings.load(null, env));
  }

  private static WorkerConfig with(String key, String value) {
    return WorkerConfig.from(Settings.of(Map.of(key, value)));
  }

  @Test
  void theHeloNameIsSentAsGivenWhenItStaysOneWord() {
    for (String ok :
        List.of(
            "mx.example.com",
            "mx1",
            "[192.0.2.1]",
            "[IPv6:2001:db8::1]",
            "mx_1.example.com",
            "mx.example.com.")) {
      assertThat(with("smtp.helo-name", ok).relays().get(0).smtp().heloName()).isEqualTo(ok);
    }
    for (String bad : List.of("mx\r\nRSET", "mx example.com", "mx\tx", "<mx>", "mx\u0000")) {
      assertThatThrownBy(() -> with("smtp.helo-name", bad))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("smtp.helo-name (POSTBUS_SMTP_HELO_NAME): expected a name")
          .hasMessageNotContaining("\r")
          .hasMessageNotContaining("\n");
    }
  }

  @Test
  void hostNamesThatResolvedBeforeAreAccepted() {
    var host = ValueType.host().parse();
    for (String ok :
        List.of(
            "smtp_relay",
            "relay.example.com.",
            "postfix.mail.svc.cluster.local.",
            "[::1]",
            "fe80::1%eth0",
            "[fe80::1%eth0]",
            "::ffff:192.0.2.1",
            "postfix")) {
      assertThat(host.apply(ok)).as(ok).isEqualTo(ok);
    }
    for (String bad :
        List.of(
            "a b",
            "a\r\nb",
            "mx.example.com:25",
            "a..b",
            ".a",
            "a..",
            "[]",
            "fe80::1%",
            "::1%a b")) {
      assertThatThrownBy(() -> host.apply(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void theHostIsAHostNameOrAnAddressWithoutAPort() {
    for (String ok : List.of("smtp.example.com", "localhost", "192.0.2.1", "2001:db8::1")) {
      assertThat(with("smtp.host", ok).relays().get(0).smtp().host()).isEqualTo(ok);
    }
    assertThatThrownBy(() -> with("smtp.host", "smtp.example.com:587"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("smtp.host (POSTBUS_SMTP_HOST): expected a host name or")
        .hasMessageContaining("put the port in smtp.port");
    for (String bad : List.of("smtp\r\n.example.com", "smtp example.com", "smtp://x", "[mx]")) {
      assertThatThrownBy(() -> with("smtp.host", bad))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("smtp.host (POSTBUS_SMTP_HOST): expected a host name");
    }
    assertThatThrownBy(
            () ->
                WorkerConfig.from(
                    Settings.of(Map.of("relays", "a", "relay.a.host", "mx.example.com:25"))))
        .hasMessageStartingWith("relay.a.host (POSTBUS_RELAY_A_HOST): expected a host name");
  }

  @Test
  void secretsAndTheUserNameLoseTheWhiteSpaceAtTheirEnds(@TempDir Path dir) throws Exception {
    WorkerConfig c =
        fromEnv(Map.of("POSTBUS_SMTP_USERNAME", " user ", "POSTBUS_SMTP_PASSWORD", " pass word\t"));
    assertThat(c.relays().get(0).smtp().username()).isEqualTo("user");
    assertThat(c.relays().get(0).smtp().password().reveal()).isEqualTo("pass word");
    WorkerConfig fromSecretFile = // kubectl create secret --from-file keeps the file's newline
        fromEnv(Map.of("POSTBUS_SMTP_USERNAME", "user\n", "POSTBUS_SMTP_PASSWORD", " pw \r\n"));
    assertThat(fromSecretFile.relays().get(0).smtp().username()).isEqualTo("user");
    assertThat(fromSecretFile.relays().get(0).smtp().password().reveal()).isEqualTo("pw");

    // Properties.load keeps a value's trailing white space: "apikey " worked before 9323d51.
    Path properties =
        Files.writeString(
            dir.resolve("postbus.properties"),
            "smtp.username=apikey \nsmtp.password=secret\t\nsmtp.trust-store-password=changeit \n");
    Settings fromFile = Settings.load(properties, Map.of());
    assertThat(fromFile.get(SmtpKeys.USERNAME)).contains("apikey");
    assertThat(fromFile.get(SmtpKeys.PASSWORD)).contains("secret");
    assertThat(fromFile.get(SmtpKeys.TRUST_STORE_PASSWORD)).contains("changeit");

    Path file = dir.resolve("password");
    Map<String, String> expected =
        Map.of(
            "pw \n", "pw", "pw\r\n", "pw", "pw\n\n", "pw", "pw\t", "pw", "pw", "pw", " pw", " pw");
    for (var e : expected.entrySet()) {
      Files.writeString(file, e.getKey());
      WorkerConfig f =
          fromEnv(
              Map.of("POSTBUS_SMTP_USERNAME", "u", "POSTBUS_SMTP_PASSWORD_FILE", file.toString()));
      assertThat(f.relays().get(0).smtp().password().reveal())
          .as("the white space is taken from the end of %s", e.getKey().replace("\n", "\\n"))
          .isEqualTo(e.getValue());
    }
  }

  @Test
  void credentialsWithoutCertificateChecksAreWarnedOfNamingTheKeysNotTheSecret() {
    Logger log = (Logger) LoggerFactory.getLogger(RelayReader.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    log.addAppender(lines);
    try {
      fromEnv(Map.of("POSTBUS_SMTP_TLS_VERIFY", "false"));
      assertThat(lines.list).as("no credentials: nothing to warn of").isEmpty();
      fromEnv(
          Map.of(
              "POSTBUS_SMTP_TLS_VERIFY",
              "false",
              "POSTBUS_SMTP_USERNAME",
              "sender@example.com",
              "POSTBUS_SMTP_PASSWORD",
              "hunter2"));
      assertThat(lines.list)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage())
                    .contains("smtp.tls-verify", "smtp.username")
                    .doesNotContain("hunter2", "sender@example.com");
              });
    } finally {
      log.detachAppender(lines);
    }
  }

  @Test
  void aKeyARelayIgnoresIsWarnedOfOnceNamingTheRelaysKeyAndNeverRefused(@TempDir Path dir)
      throws Exception {
    String store = trustStore(dir).toString();
    // relay a's CA for the whole worker, and a local Postfix without TLS
    List<String> local =
        warnings(
            () ->
                with(
                    Map.of(
                        "relays",
                        "a,local",
                        "smtp.trust-store",
                        store,
                        "relay.local.tls",
                        "none")));
    assertThat(local)
        .singleElement()
        .asString()
        .startsWith("relay local: relay.local.trust-store (from smtp.trust-store) is ignored")
        .contains("relay.local.tls=none");

    assertThat(warnings(() -> with(Map.of("smtp.trust-store", store, "smtp.tls", "none"))))
        .singleElement()
        .asString()
        .startsWith("smtp.trust-store is ignored")
        .contains("smtp.tls=none");
    assertThat(warnings(() -> with(Map.of("smtp.trust-store", store, "smtp.tls-verify", "false"))))
        .singleElement()
        .asString()
        .startsWith("smtp.trust-store is ignored")
        .contains("smtp.tls-verify=false");
    assertThat(warnings(() -> with(Map.of("smtp.trust-store-password", "changeit"))))
        .singleElement()
        .asString()
        .startsWith("smtp.trust-store-password is ignored")
        .contains("no smtp.trust-store")
        .doesNotContain("changeit");
    assertThat(
            warnings(
                () ->
                    with(
                        Map.of(
                            "relays", "a,b",
                            "smtp.auth-mechanism", "xoauth2",
                            "relay.a.username", "sender@example.com",
                            "relay.a.password", "token"))))
        .singleElement()
        .asString()
        .startsWith("relay b: relay.b.auth-mechanism (from smtp.auth-mechanism) is ignored")
        .contains("no relay.b.username")
        .doesNotContain("sender@example.com", "token");
  }

  @Test
  void theHeloNameIsAsciiOfAtMost255Characters() {
    for (String bad : List.of("mx.bücher.de", "mx.example.com\u200b", "a".repeat(256))) {
      assertThatThrownBy(() -> with("smtp.helo-name", bad))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("smtp.helo-name (POSTBUS_SMTP_HELO_NAME): expected")
          .hasMessageContaining("IDNA");
    }
    assertThat(with("smtp.helo-name", "xn--bcher-kva.de").relays().get(0).smtp().heloName())
        .isEqualTo("xn--bcher-kva.de");
    assertThat(with("smtp.helo-name", "a".repeat(255)).relays().get(0).smtp().heloName())
        .hasSize(255);
  }

  @Test
  void aRelaysPasswordErrorsNameTheRelaysKeys(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("missing");
    assertThatThrownBy(
            () ->
                with(
                    Map.of(
                        "relays", "ses",
                        "relay.ses.username", "u",
                        "relay.ses.password-file", missing.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.ses.password-file (POSTBUS_RELAY_SES_PASSWORD_FILE)")
        .hasMessageNotContaining("smtp.password-file");
    assertThatThrownBy(
            () ->
                with(
                    Map.of(
                        "relays", "ses",
                        "relay.ses.username", "u",
                        "relay.ses.password", "p",
                        "relay.ses.password-file", missing.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.ses.password (POSTBUS_RELAY_SES_PASSWORD)")
        .hasMessageContaining("relay.ses.password-file (POSTBUS_RELAY_SES_PASSWORD_FILE)")
        .hasMessageNotContaining("smtp.password");
  }

  @Test
  void aRelaysTrustStoreErrorNamesTheRelaysKey(@TempDir Path dir) throws Exception {
    String missing = dir.resolve("missing.p12").toString();
    assertThatThrownBy(() -> with(Map.of("relays", "a", "relay.a.trust-store", missing)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "relay a: relay.a.trust-store (POSTBUS_RELAY_A_TRUST_STORE): cannot load " + missing)
        .hasMessageNotContaining("smtp.trust-store");
    Path notAStore = Files.writeString(dir.resolve("not-a-store.p12"), "text");
    assertThatThrownBy(
            () -> with(Map.of("relays", "a", "relay.a.trust-store", notAStore.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "relay a: relay.a.trust-store (POSTBUS_RELAY_A_TRUST_STORE): cannot load " + notAStore)
        .hasMessageNotContaining("smtp.trust-store");
  }

  @Test
  void aRelaysCredentialErrorsNameTheRelaysKeys() {
    assertThatThrownBy(
            () ->
                with(
                    Map.of(
                        "relays", "local",
                        "smtp.username", "u",
                        "smtp.password", "p",
                        "relay.local.tls", "none")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "relay local: relay.local.username (from smtp.username) is set with"
                + " relay.local.tls=none (POSTBUS_RELAY_LOCAL_TLS)")
        .hasMessageContaining("relay.local.auth-over-plaintext=allow")
        .hasMessageNotContaining("smtp.tls")
        .hasMessageNotContaining("smtp.auth-over-plaintext");
    assertThatThrownBy(() -> with(Map.of("relays", "ses", "relay.ses.username", "u")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "relay ses: relay.ses.username (POSTBUS_RELAY_SES_USERNAME) and relay.ses.password"
                + " (POSTBUS_RELAY_SES_PASSWORD) or relay.ses.password-file"
                + " (POSTBUS_RELAY_SES_PASSWORD_FILE) must be set together");
  }

  @Test
  void credentialsWithoutCertificateChecksOnARelayAreWarnedOfNamingTheRelaysKeys() {
    assertThat(
            warnings(
                () ->
                    with(
                        Map.of(
                            "relays", "ses",
                            "relay.ses.tls-verify", "false",
                            "relay.ses.username", "sender@example.com",
                            "relay.ses.password", "hunter2"))))
        .singleElement()
        .asString()
        .contains("relay.ses.tls-verify=false", "relay.ses.username")
        .doesNotContain("smtp.tls-verify", "smtp.username", "hunter2", "sender@example.com");
  }

  @Test
  void anIgnoredTrustStoreIsNotLoaded(@TempDir Path dir) {
    String missing = dir.resolve("missing.p12").toString();
    assertThat(warnings(() -> with(Map.of("smtp.trust-store", missing, "smtp.tls", "none"))))
        .singleElement()
        .asString()
        .startsWith("smtp.trust-store is ignored");
    assertThat(
            warnings(() -> with(Map.of("smtp.trust-store", missing, "smtp.tls-verify", "false"))))
        .singleElement()
        .asString()
        .startsWith("smtp.trust-store is ignored");
    assertThat(
            warnings(
                () ->
                    with(
                        Map.of(
                            "relays", "local",
                            "smtp.trust-store", missing,
                            "relay.local.tls", "none"))))
        .singleElement()
        .asString()
        .startsWith("relay local: relay.local.trust-store (from smtp.trust-store) is ignored");
  }

  private static WorkerConfig with(Map<String, String> values) {
    return WorkerConfig.from(Settings.of(values));
  }

  /** An empty PKCS12 store: enough for TrustStore.load. */
  private static Path trustStore(Path dir) throws Exception {
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    Path file = dir.resolve("trust.p12");
    try (var out = Files.newOutputStream(file)) {
      ks.store(out, "changeit".toCharArray());
    }
    return file;
  }

  /** The WARN lines RelayReader logs while {@code load} runs (which must not throw). */
  private static List<String> warnings(Runnable load) {
    Logger log = (Logger) LoggerFactory.getLogger(RelayReader.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    log.addAppender(lines);
    try {
      load.run();
    } finally {
      log.detachAppender(lines);
    }
    return lines.list.stream()
        .filter(e -> e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }
}
