package dev.postbus.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** unsubscribe.base-url and feedback.unsubscribe-key-file: both or neither, checked, key unseen. */
class UnsubscribeConfigTest {

  private static final String KEY = "unsubscribe-key-0123456789-abcdefgh";

  @TempDir Path dir;

  private WorkerConfig read(Map<String, String> keys) {
    return WorkerConfig.from(Settings.of(keys));
  }

  @Test
  void bothKeysMakeTheLinksAndTheBaseLosesItsTrailingSlash() throws Exception {
    Path f = Files.writeString(dir.resolve("u.key"), KEY + "\n");
    WorkerConfig c =
        read(
            Map.of(
                "unsubscribe.base-url",
                "https://mail.example.com/pb/",
                "feedback.unsubscribe-key-file",
                f.toString()));
    assertThat(c.unsubscribe().baseUrl()).isEqualTo("https://mail.example.com/pb");
    assertThat(c.unsubscribe().url("news", "b@example.com", "j-1"))
        .startsWith("https://mail.example.com/pb/u/");
    assertThat(c.toString()).doesNotContain(KEY);
    assertThat(read(Map.of()).unsubscribe()).isNull();
  }

  @Test
  void halfSetOrABadUrlStopsStartUpNamingTheKey() throws Exception {
    Path f = Files.writeString(dir.resolve("u.key"), KEY);
    assertThatThrownBy(() -> read(Map.of("unsubscribe.base-url", "https://mail.example.com")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "feedback.unsubscribe-key-file (POSTBUS_FEEDBACK_UNSUBSCRIBE_KEY_FILE) is required");
    for (String bad :
        new String[] {
          "http://mail.example.com", "https://mail.example.com/?a=b", "mail.example.com"
        }) {
      assertThatThrownBy(
              () ->
                  read(
                      Map.of(
                          "unsubscribe.base-url",
                          bad,
                          "feedback.unsubscribe-key-file",
                          f.toString())))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("unsubscribe.base-url");
    }
    Path shortKey = Files.writeString(dir.resolve("short.key"), "tiny-secret");
    assertThatThrownBy(
            () ->
                read(
                    Map.of(
                        "unsubscribe.base-url",
                        "https://mail.example.com",
                        "feedback.unsubscribe-key-file",
                        shortKey.toString())))
        .hasMessageContaining("feedback.unsubscribe-key-file")
        .hasMessageContaining("32")
        .hasMessageNotContaining("tiny-secret");
  }
}
