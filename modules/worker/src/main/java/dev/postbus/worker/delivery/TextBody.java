package dev.postbus.worker.delivery;

import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimePart;
import jakarta.mail.util.ByteArrayDataSource;
import java.nio.charset.StandardCharsets;

/**
 * A text part (plain or HTML) whose UTF-8 bytes and Content-Transfer-Encoding are computed once,
 * here.
 *
 * <p>{@code MimePart.setText} hands the body to Jakarta Mail as a {@code String}. Its text handler
 * then writes through a {@code FilterOutputStream} that passes one byte at a time, twice: once to
 * choose the transfer encoding while saving the message, and once on the wire. The profile in
 * docs/benchmarks.md found that loop to be the worker's largest single cost. Here the body is
 * encoded once into bytes, the encoding is chosen with the same rule Jakarta Mail uses, and the
 * bytes are written in blocks.
 */
final class TextBody {

  /** RFC 5322: a line is at most 998 characters without its CRLF. */
  static final int MAX_LINE = 998;

  private TextBody() {}

  static void set(MimePart part, String text, String subtype) throws MessagingException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    String type = "text/" + subtype + "; charset=UTF-8";
    part.setDataHandler(new DataHandler(new ByteArrayDataSource(bytes, type)));
    // After setDataHandler, which clears both headers.
    part.setHeader("Content-Type", type);
    part.setHeader("Content-Transfer-Encoding", transferEncoding(bytes));
  }

  /**
   * Jakarta Mail's rule: {@code 7bit} for ASCII without NUL and with no line longer than 998 bytes;
   * otherwise {@code quoted-printable} when most bytes are ASCII and {@code base64} when most are
   * not.
   */
  static String transferEncoding(byte[] bytes) {
    int nonAscii = 0;
    int line = 0;
    boolean longLine = false;
    for (byte b : bytes) {
      if (b == '\n' || b == '\r') {
        line = 0;
        continue;
      }
      if (b <= 0) { // negative: a byte >= 0x80; zero: NUL
        nonAscii++;
      }
      if (++line > MAX_LINE) {
        longLine = true;
      }
    }
    if (nonAscii == 0 && !longLine) {
      return "7bit";
    }
    return nonAscii > bytes.length - nonAscii ? "base64" : "quoted-printable";
  }
}
