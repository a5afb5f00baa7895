package dev.postbus.smtp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CommandLineTest {

  private final ByteArrayOutputStream sent = new ByteArrayOutputStream();

  private final Socket socket =
      new Socket() {
        @Override
        public OutputStream getOutputStream() {
          return sent;
        }
      };

  @Test
  void aCommandLineIsSentWithItsCrlf() throws IOException {
    SessionOpener.write(socket, "EHLO mx.example.com");
    assertThat(sent.toString(StandardCharsets.US_ASCII)).isEqualTo("EHLO mx.example.com\r\n");
  }

  @Test
  void aLineThatWouldBeTwoCommandsOrIsNotAsciiIsNeverSent() {
    for (String bad :
        new String[] {"EHLO mx\r\nRSET", "EHLO mx\nRSET", "EHLO mx\u0000", "EHLO bücher"}) {
      assertThatThrownBy(() -> SessionOpener.write(socket, bad))
          .as(bad)
          .isInstanceOf(IOException.class)
          .hasMessageNotContaining("mx");
    }
    assertThat(sent.size()).isZero();
  }
}
