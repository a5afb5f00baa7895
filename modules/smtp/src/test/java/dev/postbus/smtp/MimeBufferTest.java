package dev.postbus.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MimeBufferTest {

  private static final byte[] LARGE = new byte[10 * 1024 * 1024];

  @Test
  void aBufferGrownForLargeMessagesIsKeptWhileTheyKeepComingAndLetGoAfterASmallOne() {
    MimeBuffer b = new MimeBuffer();
    b.writeBytes(LARGE);
    byte[] grown = b.array();
    b.reset();
    assertThat(b.array() == grown).as("kept after a large message").isTrue();
    b.writeBytes(LARGE);
    assertThat(b.array() == grown).as("not regrown for the next large message").isTrue();
    b.reset();
    assertThat(b.array() == grown).as("the same array").isTrue();
    b.writeBytes(new byte[1024]);
    b.reset();
    assertThat(b.array().length).as("let go after a small message").isEqualTo(16 * 1024);
    assertThat(b.size()).isZero();
  }
}
