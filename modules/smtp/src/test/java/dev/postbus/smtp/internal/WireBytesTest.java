package dev.postbus.smtp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WireBytesTest {

  private static String data(String raw) {
    byte[] b = raw.getBytes(StandardCharsets.ISO_8859_1);
    WireBytes w = new WireBytes().encode(b, b.length, true);
    return new String(w.array(), 0, w.length(), StandardCharsets.ISO_8859_1);
  }

  private static String bdat(String raw) {
    byte[] b = raw.getBytes(StandardCharsets.ISO_8859_1);
    WireBytes w = new WireBytes().encode(b, b.length, false);
    return new String(w.array(), 0, w.length(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void everyBareLineEndBecomesCrlf() {
    assertThat(bdat("a\nb\rc\r\nd")).isEqualTo("a\r\nb\r\nc\r\nd\r\n");
    assertThat(bdat("\r\r\n\n")).isEqualTo("\r\n\r\n\r\n");
  }

  @Test
  void dataIsDotStuffedAtEveryLineStartAndTerminated() {
    assertThat(data(".a\r\nb.c\r\n.\r\n..d")).isEqualTo("..a\r\nb.c\r\n..\r\n...d\r\n.\r\n");
    assertThat(data(".x\n.y")).isEqualTo("..x\r\n..y\r\n.\r\n");
  }

  @Test
  void anEmptyMessageIsJustTheTerminator() {
    assertThat(data("")).isEqualTo(".\r\n");
    assertThat(bdat("")).isEmpty();
  }

  @Test
  void contentAlreadyEndingInCrlfGetsNoExtraLine() {
    assertThat(data("a\r\n")).isEqualTo("a\r\n.\r\n");
  }

  @Test
  void chunkedContentIsNotStuffed() {
    assertThat(bdat(".a\n.")).isEqualTo(".a\r\n.\r\n");
  }

  @Test
  void eightBitIsDetected() {
    byte[] ascii = "plain".getBytes(StandardCharsets.US_ASCII);
    byte[] utf8 = "grüße".getBytes(StandardCharsets.UTF_8);
    WireBytes w = new WireBytes();
    assertThat(w.encode(ascii, ascii.length, true).eightBit()).isFalse();
    assertThat(w.encode(utf8, utf8.length, true).eightBit()).isTrue();
  }

  @Test
  void theBufferGrowsAndIsReused() {
    byte[] big = "\n".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
    WireBytes w = new WireBytes();
    assertThat(w.encode(big, big.length, true).length()).isEqualTo(200_003);
    byte[] small = "x".getBytes(StandardCharsets.US_ASCII);
    assertThat(w.encode(small, 1, true).length()).isEqualTo(6);
  }

  @Test
  void aBufferThatGrewForALargeMessageShrinksBack() {
    WireBytes w = new WireBytes();
    byte[] big = new byte[8 * 1024 * 1024];
    java.util.Arrays.fill(big, (byte) 'x');
    w.encode(big, big.length, true);
    byte[] small = "x".getBytes(StandardCharsets.US_ASCII);
    w.encode(small, 1, true);
    assertThat(w.array().length).isLessThanOrEqualTo(1024 * 1024);
    assertThat(new String(w.array(), 0, w.length(), StandardCharsets.US_ASCII))
        .isEqualTo("x\r\n.\r\n");
  }
}
