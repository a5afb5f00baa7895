package dev.postbus.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.smtp.TlsMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayConfigTest {

  private static WorkerConfig load(Path dir, String file, Map<String, String> env)
      throws Exception {
    Path f = dir.resolve("postbus.properties");
    Files.writeString(f, file);
    return WorkerConfig.from(Settings.load(f, env));
  }

  @Test
  void withoutRelaysTheSmtpKeysMakeOneRelayServingEveryPool() {
    WorkerConfig c =
        WorkerConfig.from(
            Settings.load(
                null,
                Map.of(
                    "POSTBUS_SMTP_HOST",
                    "mail.example.com",
                    "POSTBUS_SMTP_CONNECTIONS",
                    "8",
                    "POSTBUS_RATE_LIMIT",
                    "50",
                    "POSTBUS_SMTP_CONNECTIONS_GLOBAL",
                    "20")));
    assertThat(c.severalRelays()).isFalse();
    assertThat(c.relays()).hasSize(1);
    RelayConfig r = c.relays().get(0);
    assertThat(r.smtp().host()).isEqualTo("mail.example.com");
    assertThat(r.connections()).isEqualTo(8);
    assertThat(r.connectionsGlobal()).isEqualTo(20);
    assertThat(r.rateLimit()).as("the worker's limit is the single relay's").isEqualTo(50);
    assertThat(r.serves("default")).isTrue();
    assertThat(r.serves("bulk")).isTrue();
    assertThat(c.lanes()).isEqualTo(8);
  }

  @Test
  void eachRelayTakesItsOwnKeysAndInheritsTheRest(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("backup-password");
    Files.writeString(secret, "s3cret\n");
    WorkerConfig c =
        load(
            dir,
            """
        relays=primary,backup
        relays.mode=weighted
        smtp.host=smtp.example.com
        smtp.port=587
        smtp.connections=6
        smtp.username=shared
        smtp.password=shared-password
        smtp.max-connection-age=10m
        relay.primary.weight=3
        relay.primary.rate-limit=100
        relay.backup.host=backup.example.net
        relay.backup.tls=implicit
        relay.backup.port=465
        relay.backup.password-file=%s
        relay.backup.pools=bulk,default
        relay.backup.rate-limit-global=40
        """
                .formatted(secret),
            Map.of(
                "POSTBUS_RELAY_BACKUP_CONNECTIONS",
                "2",
                "POSTBUS_RELAY_BACKUP_MAX_CONNECTION_AGE",
                "1m"));
    assertThat(c.relayMode()).isEqualTo(RelayMode.WEIGHTED);
    assertThat(c.relays()).extracting(RelayConfig::name).containsExactly("primary", "backup");
    RelayConfig primary = c.relays().get(0);
    RelayConfig backup = c.relays().get(1);
    assertThat(primary.smtp().host()).isEqualTo("smtp.example.com");
    assertThat(primary.smtp().port()).isEqualTo(587);
    assertThat(primary.connections()).isEqualTo(6);
    assertThat(primary.weight()).isEqualTo(3);
    assertThat(primary.rateLimit()).isEqualTo(100);
    assertThat(primary.pools()).containsExactly("*");
    assertThat(primary.smtp().password().reveal()).isEqualTo("shared-password");
    assertThat(primary.smtp().maxConnectionAge()).isEqualTo(Duration.ofMinutes(10));
    assertThat(backup.smtp().host()).isEqualTo("backup.example.net");
    assertThat(backup.smtp().port()).isEqualTo(465);
    assertThat(backup.smtp().tls()).isEqualTo(TlsMode.IMPLICIT);
    assertThat(backup.connections()).as("from the environment").isEqualTo(2);
    assertThat(backup.smtp().maxConnectionAge()).isEqualTo(Duration.ofMinutes(1));
    assertThat(backup.smtp().username()).as("inherited").isEqualTo("shared");
    assertThat(backup.smtp().password().reveal())
        .as("its own file replaces the shared password")
        .isEqualTo("s3cret");
    assertThat(backup.weight()).isEqualTo(1);
    assertThat(backup.rateLimit()).as("a relay does not inherit the worker's own limit").isZero();
    assertThat(backup.rateLimitGlobal()).isEqualTo(40);
    assertThat(backup.serves("bulk")).isTrue();
    assertThat(backup.serves("transactional")).isFalse();
    assertThat(c.lanes()).isEqualTo(8);
    assertThat(c.queueCapacity()).isEqualTo(64);
    assertThat(c.toString())
        .contains("relays weighted")
        .doesNotContain("s3cret")
        .doesNotContain("shared-password");
  }

  @Test
  void mistakesStopStartUpNamingTheKey(@TempDir Path dir) {
    assertThatThrownBy(() -> load(dir, "relays=a,b\nrelay.b.hots=x\n", Map.of()))
        .hasMessageStartingWith(
            "unknown configuration key 'relay.b.hots' in postbus.properties: a relay's settings are host, port,");
    assertThatThrownBy(() -> load(dir, "relay.b.host=x\n", Map.of()))
        .hasMessageStartingWith("relay.b.* keys are set but relays (POSTBUS_RELAYS) is not");
    assertThatThrownBy(() -> load(dir, "relays=a\nrelay.b.host=x\n", Map.of()))
        .hasMessage("relay.b.* keys are set but b is not in relays (a)");
    assertThatThrownBy(() -> load(dir, "relays=a,b\nrelay.b.port=70000\n", Map.of()))
        .hasMessage(
            "relay.b.port (POSTBUS_RELAY_B_PORT): expected an integer from 1 to 65535; got '70000' from postbus.properties");
    assertThatThrownBy(() -> load(dir, "relays=a,b\n", Map.of("POSTBUS_RELAY_B_WEIGHT", "0")))
        .hasMessage(
            "relay.b.weight (POSTBUS_RELAY_B_WEIGHT): expected an integer from 1 to 1000; got '0' from POSTBUS_RELAY_B_WEIGHT");
    assertThatThrownBy(() -> load(dir, "relays=a,a\n", Map.of()))
        .hasMessageStartingWith(
            "relays (POSTBUS_RELAYS): expected a comma-separated list of relay names");
    assertThatThrownBy(() -> load(dir, "relays=Main\n", Map.of()))
        .hasMessageStartingWith("relays (POSTBUS_RELAYS): expected");
    assertThatThrownBy(() -> load(dir, "relays=default,b\n", Map.of()))
        .hasMessage(
            "relays (POSTBUS_RELAYS): the name 'default' is reserved for the single relay configured by smtp.*; "
                + "choose another name");
    assertThatThrownBy(() -> load(dir, "relays=a\nrelay.A-1.host=x\n", Map.of()))
        .hasMessageContaining("a relay name is 1 to 32 lower-case letters and digits");
    assertThatThrownBy(() -> load(dir, "relays=a\nrelays.mode=random\n", Map.of()))
        .hasMessage(
            "relays.mode (POSTBUS_RELAYS_MODE): expected one of failover, weighted; got 'random' from postbus.properties");
    assertThatThrownBy(() -> load(dir, "relays=a\n", Map.of("POSTBUS_RELAY_A_PASWORD", "x")))
        .hasMessageStartingWith("unknown environment variable POSTBUS_RELAY_A_PASWORD");
  }

  @Test
  void theEnvironmentNameOfEveryRelaySettingMapsBack() {
    for (String setting : RelayKeys.settings()) {
      String variable =
          "POSTBUS_RELAY_BACKUP2_" + setting.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
      assertThat(RelayKeys.keyOfEnvironment(variable))
          .as(variable)
          .contains("relay.backup2." + setting);
    }
    assertThat(RelayKeys.settings())
        .contains("host", "connections-global", "weight", "pools", "rate-limit-global");
  }

  @Test
  void oneListedRelayIsStillSeveralRelaysSoTheWorkersOwnLimitStaysApart(@TempDir Path dir)
      throws Exception {
    WorkerConfig c = load(dir, "relays=ses\nrate-limit=50\n", Map.of());
    assertThat(c.severalRelays()).isTrue();
    assertThat(c.rateLimit()).isEqualTo(50);
    assertThat(c.relays().get(0).rateLimit()).isZero();
  }

  @Test
  void poolsAreReadAsAList(@TempDir Path dir) throws Exception {
    WorkerConfig c =
        load(
            dir,
            "relays=tx,bulk\nrelay.tx.pools=default,transactional\nrelay.bulk.pools=bulk\n",
            Map.of());
    assertThat(c.relays().get(0).pools()).isEqualTo(List.of("default", "transactional"));
    assertThat(c.relays().get(1).serves("default")).isFalse();
    assertThatThrownBy(() -> load(dir, "relays=tx\nrelay.tx.pools=a b\n", Map.of()))
        .hasMessageStartingWith(
            "relay.tx.pools (POSTBUS_RELAY_TX_POOLS): expected a comma-separated list of pool names");
  }
}
