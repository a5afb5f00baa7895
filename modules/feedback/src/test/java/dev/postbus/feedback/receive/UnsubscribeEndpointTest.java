package dev.postbus.feedback.receive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UnsubscribeEndpointTest {

  private static boolean oneClick(String body) {
    return UnsubscribeEndpoint.oneClick(body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theFormBodyOfRfc8058IsOneClick() {
    assertThat(oneClick("List-Unsubscribe=One-Click")).isTrue();
    assertThat(oneClick("List-Unsubscribe=One-Click\r\n")).isTrue();
    assertThat(oneClick("a=b&List-Unsubscribe=One-Click")).isTrue();
  }

  @Test
  void aMultipartFieldIsOneClickToo() {
    String multipart =
        "--b\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--b--\r\n";
    assertThat(oneClick(multipart)).isTrue();
  }

  @Test
  void aMultipartFieldWithItsOwnHeadersIsOneClick() {
    assertThat(
            oneClick(
                "--b\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n"
                    + "Content-Type: text/plain; charset=ISO-8859-1\r\n\r\nOne-Click\r\n--b--\r\n"))
        .isTrue();
    assertThat(
            oneClick(
                "--b\r\nContent-Type: text/plain\r\nContent-Disposition: form-data;"
                    + " name=List-Unsubscribe\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                    + "One-Click\r\n--b--\r\n"))
        .isTrue();
  }

  @Test
  void aMultipartBodyOfAnotherFieldOrValueIsNot() {
    assertThat(
            oneClick(
                "--b\r\nContent-Disposition: form-data; name=\"List-Unsubscribe-Later\"\r\n"
                    + "Content-Type: text/plain\r\n\r\nOne-Click\r\n--b--\r\n"))
        .isFalse();
    assertThat(
            oneClick(
                "--b\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n"
                    + "Content-Type: text/plain\r\n\r\nNo\r\n--b--\r\n"))
        .isFalse();
    assertThat(
            oneClick(
                "--b\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\n"
                    + "Content-Disposition: form-data; name=\"List-Unsubscribe\"\r\n"
                    + "x\r\n--b--\r\n"))
        .isFalse();
  }

  @Test
  void anythingElseIsNot() {
    assertThat(UnsubscribeEndpoint.oneClick(new byte[0])).isFalse();
    assertThat(UnsubscribeEndpoint.oneClick(null)).isFalse();
    assertThat(oneClick("List-Unsubscribe=Yes")).isFalse();
    assertThat(oneClick("List-Unsubscribe=One-Click-Later")).isFalse();
    assertThat(oneClick("xList-Unsubscribe=One-Click")).isFalse();
    assertThat(oneClick("List-Unsubscribe=One-Click&" + "x".repeat(5000)))
        .isFalse(); // over the bound
  }
}
