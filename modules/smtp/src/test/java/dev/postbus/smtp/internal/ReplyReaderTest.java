package dev.postbus.smtp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReplyReaderTest {

  /** A reader on a clock that never moves: no reply ever runs out of time. */
  private static ReplyReader reader(InputStream in) {
    return new ReplyReader(in, millis -> {}, () -> 0L, 60_000);
  }

  /** A link that hands out one byte per read and takes {@code pace} of the clock for each. */
  private static final class Link extends InputStream {
    final byte[] bytes;
    final long paceNanos;
    long now;
    int nanoTimeCalls;
    int at;
    final List<Integer> timeouts = new ArrayList<>();

    Link(String s, long paceMillis) {
      this.bytes = s.getBytes(StandardCharsets.US_ASCII);
      this.paceNanos = TimeUnit.MILLISECONDS.toNanos(paceMillis);
    }

    ReplyReader reader(int readTimeoutMillis) {
      return new ReplyReader(
          this,
          timeouts::add,
          () -> {
            nanoTimeCalls++;
            return now;
          },
          readTimeoutMillis);
    }

    @Override
    public int read() {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(byte[] into, int off, int len) {
      if (at >= bytes.length) {
        return -1;
      }
      now += paceNanos;
      into[off] = bytes[at++];
      return 1;
    }
  }

  @Test
  void aReplyTrickledInsideTheReadTimeoutFailsWhenTheWholeReplyTookIt() {
    Link link = new Link("250-x\r\n".repeat(100), 150);
    ReplyReader r = link.reader(200);
    assertThatThrownBy(r::read)
        .isInstanceOf(SocketTimeoutException.class)
        .hasMessageContaining("whole within 200 ms");
    // the second read may wait only the 50 ms left; the third has none; then the timeout is back
    assertThat(link.timeouts).containsExactly(50, 200);
    assertThat(link.now).isEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
  }

  @Test
  void aSlowReplyThatArrivesInTimeIsReadAndTheReadTimeoutIsSetBack() throws Exception {
    Link link = new Link("250 ok\r\n", 10);
    Reply reply = link.reader(200).read(200);
    assertThat(reply.code()).isEqualTo(250);
    assertThat(link.timeouts).containsExactly(190, 180, 170, 160, 150, 140, 130, 200);
  }

  @Test
  void aReplyInOneReadTakesOneClockReadingAndLeavesTheReadTimeoutAlone() throws Exception {
    Link link = new Link("", 0);
    ReplyReader r =
        new ReplyReader(
            new ByteArrayInputStream("250 a\r\n250 b\r\n".getBytes(StandardCharsets.US_ASCII)),
            link.timeouts::add,
            () -> {
              link.nanoTimeCalls++;
              return 0L;
            },
            200);
    assertThat(r.read().code()).isEqualTo(250);
    assertThat(r.read().code()).isEqualTo(250); // already buffered: no clock reading at all
    assertThat(link.nanoTimeCalls).isEqualTo(1);
    assertThat(link.timeouts).isEmpty();
  }

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
        reader(trickle("250-mx.example\r\n250-PIPELINING\r\n250 SIZE 10\r\n550 5.1.1 no\r\n"));
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
        reader(
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
    ReplyReader r = reader(new ByteArrayInputStream("250\n".getBytes(StandardCharsets.US_ASCII)));
    assertThat(r.read().code()).isEqualTo(250);
  }

  @Test
  void garbageIsAProtocolError() {
    assertThatThrownBy(
            () ->
                reader(new ByteArrayInputStream("hello\r\n".getBytes(StandardCharsets.US_ASCII)))
                    .read())
        .isInstanceOf(ReplyReader.ProtocolException.class);
    assertThatThrownBy(
            () ->
                reader(
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
                reader(new ByteArrayInputStream("250-a\r\n25".getBytes(StandardCharsets.US_ASCII)))
                    .read())
        .isInstanceOf(EOFException.class);
  }
}
