package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.bench.BenchCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dev-only SNS certificate keys, as docs/feedback.md shows them. */
class DevSnsCertificatesTest {

  @TempDir Path dir;

  @Test
  void theBlockOfTheDocsWorksAsWritten() throws Exception {
    String block = docsBlock();
    try (BenchCertificate sns = new BenchCertificate()) {
      Path ca = Files.writeString(dir.resolve("ca.pem"), sns.pem());
      Path file =
          Files.writeString(
              dir.resolve("dev.properties"),
              block.replace("/path/to/ca.pem", ca.toString().replace("\\", "/")));

      DevSnsCertificates dev = DevSnsCertificates.load(file);

      assertThat(dev.hosts().matcher("localhost").matches()).isTrue();
    }
  }

  @Test
  void aCommentAfterAValueIsRefusedNamingTheKey() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("dev.properties"),
            "dev.sns-certificate-hosts=localhost   # the host names\n"
                + "dev.sns-certificate-ca=/nowhere.pem\n");

    assertThatThrownBy(() -> DevSnsCertificates.load(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dev.sns-certificate-hosts")
        .hasMessageContaining("#");
  }

  /** The properties block of docs/feedback.md that sets the dev keys. */
  private static String docsBlock() throws Exception {
    Path docs = Path.of("../../docs/feedback.md");
    String text = Files.readString(docs);
    int key = text.indexOf("dev.sns-certificate-hosts=");
    int start = text.lastIndexOf("```\n", key) + 4;
    int end = text.indexOf("```", key);
    return text.substring(start, end);
  }
}
