package dev.postbus.worker.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.worker.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenTest {

  @Test
  void onlyTheBearerOfTheFilesTokenIsLetThrough(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "0123456789abcdef-token\n");
    AdminToken token = AdminToken.of(file.toString());

    assertThat(token.check("Bearer 0123456789abcdef-token")).isNull();
    assertThat(token.check(null).status()).isEqualTo(401);
    assertThat(token.check("Basic b3A6cGFzcw==").status()).isEqualTo(401);
    assertThat(token.check("Bearer 0123456789abcdef-toke").status()).isEqualTo(403);
    assertThat(token.check("Bearer ").status()).isEqualTo(403);

    Files.writeString(file, "a-rotated-token-0123456789\n"); // read at each call
    assertThat(token.check("Bearer a-rotated-token-0123456789")).isNull();
    assertThat(token.check("Bearer 0123456789abcdef-token").status()).isEqualTo(403);
  }

  @Test
  void theSchemeIsCaseInsensitiveAndSurroundingSpaceIgnored(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "0123456789abcdef-token\n");
    AdminToken token = AdminToken.of(file.toString());

    assertThat(token.check("bearer 0123456789abcdef-token")).isNull(); // RFC 7235: any case
    assertThat(token.check("BEARER 0123456789abcdef-token")).isNull();
    assertThat(token.check("  Bearer   0123456789abcdef-token  ")).isNull();
    assertThat(token.check("Bearer\t0123456789abcdef-token")).isNull();
    assertThat(token.check("Bearer0123456789abcdef-token").status()).isEqualTo(401);
    assertThat(token.check("bearer 0123456789abcdef-tokeN").status()).isEqualTo(403);
  }

  @Test
  void withoutTheKeyEveryAdminCallIsRefusedSayingWhichKeyToSet() {
    AdminToken.Refusal refusal = AdminToken.of(null).check("Bearer anything-at-all-really");
    assertThat(refusal.status()).isEqualTo(403);
    assertThat(refusal.json()).contains("set http.admin-token-file");
  }

  @Test
  void aMissingOrShortFileStopsStartUpNamingTheKey(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> AdminToken.of(dir.resolve("none").toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("http.admin-token-file: cannot read");
    Path shortOne = Files.writeString(dir.resolve("short"), "short\n");
    assertThatThrownBy(() -> AdminToken.of(shortOne.toString()))
        .hasMessageContaining("fewer than 16 characters");
  }
}
