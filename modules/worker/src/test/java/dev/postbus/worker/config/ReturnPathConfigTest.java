package dev.postbus.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.job.VerpToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's side of VERP and of the providers' metadata: the same keys as {@code postbus
 * feedback} reads ({@code feedback.return-path-domain}, {@code feedback.verp-key-file}), and {@code
 * smtp.provider} / {@code relay.<name>.provider}. A bad or half-set value stops start-up naming the
 * key.
 */
class ReturnPathConfigTest {

  private static final String KEY = "verp-key-0123456789-0123456789-abcdef";

  @TempDir Path dir;

  private Path keyFile(String content) throws Exception {
    Path f = dir.resolve("verp.key");
    Files.writeString(f, content);
    return f;
  }

  @Test
  void withoutTheSettingThereIsNoReturnPath() {
    assertThat(WorkerConfig.from(Settings.of(Map.of())).returnPath()).isNull();
  }

  @Test
  void theReturnPathSignsWithTheKeyFileAsTheReceiverReadsIt() throws Exception {
    Path f = keyFile(KEY + "\n"); // the receiver strips the file's contents: so does the worker
    WorkerConfig c =
        WorkerConfig.from(
            Settings.load(
                null,
                Map.of(
                    "POSTBUS_FEEDBACK_RETURN_PATH_DOMAIN",
                    "RP.Example.com",
                    "POSTBUS_FEEDBACK_VERP_KEY_FILE",
                    f.toString())));
    assertThat(c.returnPath().address("order-42"))
        .isEqualTo(new VerpToken(KEY).address("order-42", "rp.example.com"));
    assertThat(c.returnPath().toString()).doesNotContain(KEY).contains("rp.example.com");
  }

  @Test
  void theReceiversOwnSettingsInASharedEnvironmentOrFileAreLeftToIt() throws Exception {
    Path f = keyFile(KEY);
    Path shared = dir.resolve("postbus.properties");
    Files.writeString(shared, "feedback.smtp-port=2525\nfeedback.bounce-domain=b.example.com\n");
    WorkerConfig c =
        WorkerConfig.from(
            Settings.load(
                shared,
                Map.of(
                    "POSTBUS_FEEDBACK_RETURN_PATH_DOMAIN", "rp.example.com",
                    "POSTBUS_FEEDBACK_VERP_KEY_FILE", f.toString(),
                    "POSTBUS_FEEDBACK_VERP_PREVIOUS_KEY_FILE", f.toString(),
                    "POSTBUS_FEEDBACK_SMTP_PORT", "2525",
                    "POSTBUS_FEEDBACK_SES_TOPIC_ARNS", "arn:aws:sns:eu-west-1:1:bounces")));
    assertThat(c.returnPath()).isNotNull();
  }

  @Test
  void aTypoInAFeedbackVariableStillStopsStartUp() {
    assertThatThrownBy(() -> Settings.load(null, Map.of("POSTBUS_FEEDBACK_SMTP_PROT", "2525")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("POSTBUS_FEEDBACK_SMTP_PROT");
    assertThatThrownBy(() -> Settings.of(Map.of("feedback.smtp-prot", "2525")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("feedback.smtp-prot");
  }

  @Test
  void aMissingKeyFileStopsStartUpNamingTheKey() {
    assertThatThrownBy(
            () ->
                WorkerConfig.from(
                    Settings.of(
                        Map.of(
                            "feedback.return-path-domain",
                            "rp.example.com",
                            "feedback.verp-key-file",
                            dir.resolve("absent").toString()))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("feedback.verp-key-file")
        .hasMessageContaining("POSTBUS_FEEDBACK_VERP_KEY_FILE")
        .hasMessageContaining("cannot read");
  }

  @Test
  void aShortKeyStopsStartUpNamingTheKeyWithoutShowingIt() throws Exception {
    Path f = keyFile("too-short-a-key");
    assertThatThrownBy(
            () ->
                WorkerConfig.from(
                    Settings.of(
                        Map.of(
                            "feedback.return-path-domain",
                            "rp.example.com",
                            "feedback.verp-key-file",
                            f.toString()))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("feedback.verp-key-file")
        .hasMessageContaining("32")
        .hasMessageNotContaining("too-short-a-key");
  }

  @Test
  void halfSetStopsStartUpNamingTheMissingKey() throws Exception {
    Path f = keyFile(KEY);
    assertThatThrownBy(
            () ->
                WorkerConfig.from(
                    Settings.of(Map.of("feedback.return-path-domain", "rp.example.com"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("feedback.verp-key-file")
        .hasMessageContaining("required with feedback.return-path-domain");
    assertThatThrownBy(
            () -> WorkerConfig.from(Settings.of(Map.of("feedback.verp-key-file", f.toString()))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("feedback.return-path-domain")
        .hasMessageContaining("required with feedback.verp-key-file");
  }

  @Test
  void anInvalidDomainStopsStartUpNamingTheKey() throws Exception {
    Path f = keyFile(KEY);
    for (String bad : new String[] {"bounces@rp.example.com", "-rp.example.com", "rp..example"}) {
      assertThatThrownBy(
              () ->
                  WorkerConfig.from(
                      Settings.of(
                          Map.of(
                              "feedback.return-path-domain",
                              bad,
                              "feedback.verp-key-file",
                              f.toString()))))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("feedback.return-path-domain");
    }
  }

  @Test
  void eachRelayNamesItsProviderAndTheSingleRelayTakesSmtpProvider() {
    assertThat(
            WorkerConfig.from(Settings.of(Map.of("smtp.provider", "ses")))
                .relays()
                .get(0)
                .provider())
        .isEqualTo(Provider.SES);
    assertThat(WorkerConfig.from(Settings.of(Map.of())).relays().get(0).provider())
        .isEqualTo(Provider.NONE);
    WorkerConfig c =
        WorkerConfig.from(
            Settings.of(
                Map.of(
                    "relays", "a,b,c",
                    "smtp.provider", "sendgrid",
                    "relay.a.provider", "postmark",
                    "relay.b.provider", "mailgun")));
    assertThat(c.relays())
        .extracting(RelayConfig::provider)
        .containsExactly(Provider.POSTMARK, Provider.MAILGUN, Provider.SENDGRID);
    assertThatThrownBy(
            () -> WorkerConfig.from(Settings.of(Map.of("relays", "a", "relay.a.provider", "x"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.a.provider")
        .hasMessageContaining("ses");
  }
}
