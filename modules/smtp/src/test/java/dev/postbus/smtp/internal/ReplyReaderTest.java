package dev.postbus.smtp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReplyReaderTest {

  /** Hands out one byte per read: every reply arrives split across "packets". */
  private static InputStream trickle(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return new InputStream() {
      int i;

      @Override
      public int read() {
        return i < b.length ? b[i++] & 0xFF : -1;
      }

      @Override
      public int read(byte[] into, int off, int len) {
        if (i >= b.length) {
          return -1;
        }
        into[off] = b[i++];
        return 1;
      }
    };
  }

  @Test
  void readsMultiLineRepliesSplitAcrossPackets() throws Exception {
    ReplyReader r =
        new ReplyReader(
            trickle("250-mx.example\r\n250-PIPELINING\r\n250 SIZE 10\r\n550 5.1.1 no\r\n"));
    Reply ehlo = r.read();
    assertThat(ehlo.code()).isEqualTo(250);
    assertThat(ehlo.lines()).containsExactly("mx.example", "PIPELINING", "SIZE 10");
    Reply refusal = r.read();
    assertThat(refusal.codes()).isEqualTo("550 5.1.1");
    assertThat(refusal.toSmtpReply().text()).isEqualTo("no");
  }

  @Test
  void repliesReadByCountFromOneBuffer() throws Exception {
    ReplyReader r =
        new ReplyReader(
            new ByteArrayInputStream(
                "250 a\r\n250 b\r\n354 c\r\n".getBytes(StandardCharsets.US_ASCII)));
    assertThat(r.read().lines()).containsExactly("a");
    assertThat(r.buffered()).isPositive();
    assertThat(r.read().lines()).containsExactly("b");
    assertThat(r.read().code()).isEqualTo(354);
    assertThat(r.buffered()).isZero();
  }

  @Test
  void aBareCodeAndABareLfAreAccepted() throws Exception {
    ReplyReader r =
        new ReplyReader(new ByteArrayInputStream("250\n".getBytes(StandardCharsets.US_ASCII)));
    assertThat(r.read().code()).isEqualTo(250);
  }

  @Test
  void garbageIsAProtocolError() {
    assertThatThrownBy(
            () ->
                new ReplyReader(
                        new ByteArrayInputStream("hello\r\n".getBytes(StandardCharsets.US_ASCII)))
                    .read())
        .isInstanceOf(ReplyReader.ProtocolException.class);
    assertThatThrownBy(
            () ->
                new ReplyReader(
                        new ByteArrayInputStream(
                            "250-a\r\n550 b\r\n".getBytes(StandardCharsets.US_ASCII)))
                    .read())
        .isInstanceOf(ReplyReader.ProtocolException.class)
        .hasMessageContaining("changed its code");
  }

  @Test
  void anEndOfStreamMidReplyIsEof() {
    assertThatThrownBy(
            () ->
                new ReplyReader(
                        new ByteArrayInputStream("250-a\r\n25".getBytes(StandardCharsets.US_ASCII)))
                    .read())
        .isInstanceOf(EOFException.class);
  }
}
