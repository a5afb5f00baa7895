package dev.postbus.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SmtpReplyTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "550 | 550 5.1.1 User unknown        | 5.1.1 | User unknown",
        "451 | 451 4.7.1 Try later          | 4.7.1 | Try later",
        "250 | 250 2.0.0 Ok: queued as 12   | 2.0.0 | Ok: queued as 12",
        "554 | 554 Transaction failed       |       | Transaction failed",
        "421 | 421-4.3.2 Service shutting down | 4.3.2 | Service shutting down",
      })
  void parsesCodeEnhancedCodeAndText(int code, String response, String enhanced, String text) {
    SmtpReply reply = SmtpReply.parse(code, response);
    assertThat(reply.code()).isEqualTo(code);
    assertThat(reply.enhancedCode()).isEqualTo(enhanced);
    assertThat(reply.text()).isEqualTo(text);
  }

  @org.junit.jupiter.api.Test
  void longReplyTextIsTruncatedAndKeptOnOneLine() {
    SmtpReply reply = SmtpReply.parse(550, "550 5.7.1 " + "x".repeat(2000) + "\r\nmore");
    assertThat(reply.text()).hasSize(SmtpReply.MAX_TEXT).doesNotContain("\n");
  }
}
