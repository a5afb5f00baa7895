package dev.postbus.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretTest {

  @Test
  void aFileSecretIsReadAgainEachTimeSoARotatedTokenIsPickedUp(@TempDir Path dir) throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "first-token\n");
    Secret s = Secret.fromFile(token);
    assertThat(s.reveal()).isEqualTo("first-token");
    Files.writeString(token, "second-token\n");
    assertThat(s.reveal()).isEqualTo("second-token");
    assertThat(s.toString())
        .contains(token.toString())
        .doesNotContain("token\n")
        .doesNotContain("second-token");
  }

  @Test
  void aFileLosesTheWhiteSpaceAtItsEndAndKeepsTheRest(@TempDir Path dir) throws Exception {
    Path token = Files.writeString(dir.resolve("token"), " pass word \t\r\n");
    assertThat(Secret.fromFile(token).reveal()).isEqualTo(" pass word");
  }

  @Test
  void aMissingFileIsRefusedAtOnceAndAVanishedOneSaysWhich(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> Secret.fromFile(dir.resolve("absent")))
        .isInstanceOf(NoSuchFileException.class);
    Path token = Files.writeString(dir.resolve("token"), "t");
    Secret s = Secret.fromFile(token);
    Files.delete(token);
    assertThatThrownBy(s::reveal)
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(token.toString())
        .hasMessageNotContaining("t\n");
  }

  @Test
  void aTrustStoreThatCannotBeLoadedNamesTheKey(@TempDir Path dir) throws Exception {
    Path notAStore = Files.writeString(dir.resolve("trust.p12"), "not a key store");
    assertThatThrownBy(() -> TrustStore.load(notAStore, Secret.of("changeit")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("smtp.trust-store: cannot load " + notAStore);
  }
}
